import { BridleError, type ErrorCode } from "../core/errors.js";
import { failureDelay, retryAfterDelay } from "./backoff.js";
import { assertContiguous, fittingCount } from "./batch.js";
import { encodeRecord, interpretResponse, requestHeaders } from "./formats.js";
import { type ForwarderOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { type Exchange, postToCollector } from "./transport.js";

export type { ForwarderOptions } from "./options.js";

/**
 * Streams the audit ledger to a SIEM collector. Delivery is at-least-once: the durable cursor
 * (`store.setCursor`) moves past a batch only after the collector acknowledged every record in
 * it, so a crash, an outage or a refused batch can repeat records but never skip one. Replays
 * are made harmless (Elastic) or detectable (Splunk) by the wire format, see formats.ts.
 * Run one forwarder per cursor name: two on the same cursor would each send everything.
 */

export interface ForwarderStatus {
  running: boolean;
  /** Last seq the collector acknowledged in this process, or null before the first batch. */
  lastSeq: number | null;
  /** Records acknowledged in this process (replays included). */
  delivered: number;
  /** Of those, records the collector already had (Elastic answered 409 to the create). */
  duplicates: number;
  consecutiveFailures: number;
  lastError: string | null;
}

export interface Forwarder {
  /** Sends the next batch after the cursor; throws a BridleError (UPSTREAM_*) when it is not acknowledged. */
  runOnce(): Promise<{ sent: number; lastSeq: number }>;
  /** Loops until stop(): at once while there is backlog, idlePollMs when caught up, backoff on failure. */
  start(): void;
  /** Ends the loop after the request in flight (bounded by timeoutMs); resolves when it has ended. */
  stop(): Promise<void>;
  status(): ForwarderStatus;
}

interface Failure {
  retry: "transient" | "rejected";
  code: ErrorCode;
  status: number | null;
  reason: string;
  retryAfterMs: number | null;
  fromSeq: number;
  toSeq: number;
}

type Step =
  | { kind: "delivered"; sent: number; duplicates: number; lastSeq: number; afterFailures: number }
  | { kind: "idle"; lastSeq: number }
  | { kind: "failed"; failure: Failure };

export function createForwarder(options: ForwarderOptions): Forwarder {
  return new LedgerForwarder(resolveOptions(options));
}

class LedgerForwarder implements Forwarder {
  private readonly state: ForwarderStatus = {
    running: false,
    lastSeq: null,
    delivered: 0,
    duplicates: 0,
    consecutiveFailures: 0,
    lastError: null,
  };
  /** Attempts run one at a time, so runOnce() during start() cannot send a batch twice. */
  private queue: Promise<unknown> = Promise.resolve();
  private stopper: AbortController | null = null;
  private loopDone: Promise<void> | null = null;

  private readonly secrets: string[];

  constructor(private readonly o: ResolvedOptions) {
    const credential = requestHeaders(o.target).authorization?.split(" ")[1] ?? "";
    this.secrets = [o.target.token, credential].filter((secret) => secret.length > 0);
  }

  async runOnce(): Promise<{ sent: number; lastSeq: number }> {
    const step = await this.attempt();
    if (step.kind === "failed") throw this.failureError(step.failure);
    return { sent: step.kind === "delivered" ? step.sent : 0, lastSeq: step.lastSeq };
  }

  start(): void {
    if (this.loopDone) return;
    const stopper = new AbortController();
    this.stopper = stopper;
    this.state.running = true;
    this.loopDone = this.loop(stopper.signal).finally(() => {
      this.state.running = false;
      this.loopDone = null;
    });
  }

  async stop(): Promise<void> {
    this.stopper?.abort();
    await this.loopDone;
  }

  status(): ForwarderStatus {
    return { ...this.state };
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let step: Step;
      try {
        step = await this.attempt();
      } catch (error) {
        step = this.observe({ kind: "failed", failure: internalFailure(error) });
      }
      const delay = this.delayAfter(step);
      this.report(step, delay);
      if (delay > 0 && !signal.aborted) await this.o.sleep(delay, signal);
    }
  }

  private attempt(): Promise<Step> {
    const run = () => this.deliverNext().then((step) => this.observe(step));
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async deliverNext(): Promise<Step> {
    const { store, cursorName, target, maxBatchBytes } = this.o;
    const cursor = await store.getCursor(cursorName);
    const records = await store.readRange(cursor + 1, this.o.batchSize);
    if (records.length === 0) return { kind: "idle", lastSeq: cursor };
    assertContiguous(records, cursor + 1);
    const chunks = records.map((record) =>
      encodeRecord(target, record, this.o.payloadOf(record), this.o.host),
    );
    const sizes = chunks.map((chunk) => Buffer.byteLength(chunk, "utf8"));
    const count = fittingCount(sizes, maxBatchBytes);
    const range = { fromSeq: cursor + 1, toSeq: cursor + count };
    if (count === 1 && (sizes[0] ?? 0) > maxBatchBytes) {
      this.o.logger?.warn(
        { seq: range.fromSeq, bytes: sizes[0] },
        "SIEM record exceeds max_batch_bytes; sent alone",
      );
    }
    const exchange = await postToCollector(this.o.fetch, {
      url: this.o.url.href,
      headers: requestHeaders(target),
      body: chunks.slice(0, count).join(""),
      timeoutMs: this.o.timeoutMs,
      maxResponseBytes: this.o.maxResponseBytes,
    });
    const ack = this.acknowledge(exchange, count, range);
    if (!ack.ok) return { kind: "failed", failure: ack.failure };
    // Only now is the batch the collector's responsibility; a crash before this line replays it.
    await store.setCursor(cursorName, range.toSeq);
    const afterFailures = this.state.consecutiveFailures;
    return {
      kind: "delivered",
      sent: count,
      duplicates: ack.duplicates,
      lastSeq: range.toSeq,
      afterFailures,
    };
  }

  private acknowledge(
    exchange: Exchange,
    count: number,
    range: { fromSeq: number; toSeq: number },
  ): { ok: true; duplicates: number } | { ok: false; failure: Failure } {
    if (exchange.kind !== "response") {
      const code: ErrorCode = exchange.kind === "timeout" ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNAVAILABLE";
      const reason = `${exchange.kind.replaceAll("_", " ")}: ${exchange.detail}`;
      return {
        ok: false,
        failure: { retry: "transient", code, status: null, reason, retryAfterMs: null, ...range },
      };
    }
    // Scrub before parsing: the reason is cut to a short excerpt, which could hold part of a token.
    const ack = interpretResponse(this.o.target, exchange.status, this.scrub(exchange.body), count);
    if (ack.ok) return ack;
    const retryAfterMs =
      ack.retry === "transient"
        ? retryAfterDelay(exchange.retryAfter, this.o.clock(), this.o.policy.retryAfterCapMs)
        : null;
    const { retry, status, reason } = ack;
    return { ok: false, failure: { retry, code: "UPSTREAM_ERROR", status, reason, retryAfterMs, ...range } };
  }

  private observe(step: Step): Step {
    if (step.kind === "failed") {
      this.state.consecutiveFailures += 1;
      this.state.lastError = this.scrub(step.failure.reason);
    } else if (step.kind === "delivered") {
      this.state.lastSeq = step.lastSeq;
      this.state.delivered += step.sent;
      this.state.duplicates += step.duplicates;
      this.state.consecutiveFailures = 0;
      this.state.lastError = null;
    }
    return step;
  }

  private delayAfter(step: Step): number {
    if (step.kind === "delivered") return 0;
    if (step.kind === "idle") return this.o.idlePollMs;
    const { failure } = step;
    // A refused batch will be refused again until someone fixes the configuration: wait long.
    if (failure.retry === "rejected") return this.o.policy.maxMs;
    if (failure.retryAfterMs !== null) return failure.retryAfterMs;
    return failureDelay(this.o.policy, this.state.consecutiveFailures, this.o.random());
  }

  private report(step: Step, delay: number): void {
    const log = this.o.logger;
    if (step.kind === "delivered") {
      if (step.afterFailures > 0) {
        log?.info(
          { collector: this.o.where, after_failures: step.afterFailures },
          "SIEM collector reachable again",
        );
      }
      log?.debug(
        { sent: step.sent, duplicates: step.duplicates, last_seq: step.lastSeq },
        "SIEM batch delivered",
      );
    }
    if (step.kind !== "failed") return;
    const { failure } = step;
    const fields = {
      collector: this.o.where,
      status: failure.status,
      reason: this.scrub(failure.reason),
      from_seq: failure.fromSeq,
      to_seq: failure.toSeq,
      consecutive_failures: this.state.consecutiveFailures,
      retry_in_ms: delay,
    };
    if (failure.code === "INTERNAL")
      log?.error(fields, "SIEM forwarder could not read or map the ledger; will retry");
    else if (failure.retry === "transient")
      log?.warn(fields, "SIEM collector unavailable; will retry the same batch");
    else {
      log?.error(
        fields,
        "SIEM collector rejected the batch: check siem.target (url, token, index); the batch is kept, retried at the maximum backoff, and the cursor does not move",
      );
    }
  }

  private failureError(failure: Failure): BridleError {
    const range = `${failure.fromSeq}-${failure.toSeq}`;
    return new BridleError(
      failure.code,
      `SIEM collector did not acknowledge seq ${range}: ${this.scrub(failure.reason)}`,
      {
        retryable: failure.retry === "transient",
        status: failure.status,
        from_seq: failure.fromSeq,
        to_seq: failure.toSeq,
        retry_after_ms: failure.retryAfterMs,
      },
    );
  }

  /** Defence in depth: a collector could echo the token (or the header it went in) in an error text. */
  private scrub(text: string): string {
    let clean = text;
    for (const secret of this.secrets) clean = clean.split(secret).join("[redacted]");
    return clean;
  }
}

/** A failure outside the exchange (the ledger store, the OCSF mapping): retried like an outage. */
function internalFailure(error: unknown): Failure {
  const reason = error instanceof BridleError ? `${error.code}: ${error.message}` : errorName(error);
  return {
    retry: "transient",
    code: "INTERNAL",
    status: null,
    reason,
    retryAfterMs: null,
    fromSeq: 0,
    toSeq: 0,
  };
}

function errorName(error: unknown): string {
  // Foreign error messages can quote connection strings or data; the name is enough to start from.
  return error instanceof Error ? `${error.name} (see the ledger store's own logs)` : "unexpected error";
}
