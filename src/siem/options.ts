import { hostname } from "node:os";
import type { Logger } from "pino";
import { BridleError } from "../core/errors.js";
import type { LedgerRecord } from "../core/ledger/record.js";
import type { LedgerStore } from "../store/ledger-store.js";
import type { BackoffPolicy } from "./backoff.js";
import { collectorUrl, loggableUrl } from "./endpoint.js";
import type { SiemTarget } from "./formats.js";

/** What createForwarder takes: the store, the target, the limits, and injectable effects. */
export interface ForwarderOptions {
  store: LedgerStore;
  /** The durable cursor's name; it holds the last acknowledged seq (0 = nothing sent yet). */
  cursorName: string;
  target: SiemTarget;
  /** "raw" sends the ledger record as-is; "ocsf" sends `transform(record)` (the OCSF mapping). */
  format?: "raw" | "ocsf";
  transform?: (record: LedgerRecord) => object;
  /** Most records per request. */
  batchSize: number;
  /** Most body bytes per request (a single larger record is still sent alone). */
  maxBatchBytes: number;
  /** Per request, including reading the answer. */
  timeoutMs: number;
  /** retryAfterCapMs defaults to 5 minutes. */
  backoff: { initialMs: number; maxMs: number; retryAfterCapMs?: number };
  /** Wait between polls once the collector has everything. Default 1000. */
  idlePollMs?: number;
  /** Largest collector answer read. Default 16 MiB. */
  maxResponseBytes?: number;
  /** Permit plain http to a non-loopback host. Default false. */
  allowInsecureHttp?: boolean;
  fetch?: typeof fetch;
  /** Epoch milliseconds; used for Retry-After dates. */
  clock?: () => number;
  /** Must resolve early when `signal` aborts (stop() relies on it). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
  logger?: Pick<Logger, "debug" | "info" | "warn" | "error">;
}

/** The options with every default applied and the URL checked. */
export interface ResolvedOptions {
  store: LedgerStore;
  cursorName: string;
  target: SiemTarget;
  payloadOf: (record: LedgerRecord) => object;
  batchSize: number;
  maxBatchBytes: number;
  timeoutMs: number;
  policy: BackoffPolicy;
  idlePollMs: number;
  maxResponseBytes: number;
  url: URL;
  /** The URL as logs may show it. */
  where: string;
  host: string;
  fetch: typeof fetch;
  clock: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  random: () => number;
  logger: Pick<Logger, "debug" | "info" | "warn" | "error"> | undefined;
}

export function resolveOptions(options: ForwarderOptions): ResolvedOptions {
  validateOptions(options);
  const url = collectorUrl(options.target, options.allowInsecureHttp ?? false);
  const { transform, format } = options;
  return {
    store: options.store,
    cursorName: options.cursorName,
    target: options.target,
    payloadOf: format === "ocsf" && transform ? transform : (record) => record,
    batchSize: options.batchSize,
    maxBatchBytes: options.maxBatchBytes,
    timeoutMs: options.timeoutMs,
    policy: {
      initialMs: options.backoff.initialMs,
      maxMs: options.backoff.maxMs,
      retryAfterCapMs: options.backoff.retryAfterCapMs ?? 5 * 60_000,
    },
    idlePollMs: options.idlePollMs ?? 1000,
    maxResponseBytes: options.maxResponseBytes ?? 16 * 1024 * 1024,
    url,
    where: loggableUrl(url),
    host: options.target.kind === "splunk_hec" ? (options.target.host ?? hostname()) : "",
    fetch: options.fetch ?? globalThis.fetch,
    clock: options.clock ?? Date.now,
    sleep: options.sleep ?? abortableSleep,
    random: options.random ?? Math.random,
    logger: options.logger,
  };
}

function validateOptions(options: ForwarderOptions): void {
  const positive: Array<[string, number | undefined]> = [
    ["siem.batch_size", options.batchSize],
    ["siem.max_batch_bytes", options.maxBatchBytes],
    ["siem.timeout_ms", options.timeoutMs],
    ["siem.backoff.initial_ms", options.backoff.initialMs],
    ["siem.backoff.max_ms", options.backoff.maxMs],
    ["siem.backoff.retry_after_cap_ms", options.backoff.retryAfterCapMs],
    ["siem.idle_poll_ms", options.idlePollMs],
  ];
  for (const [key, value] of positive) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw invalid(key, "must be a positive integer");
    }
  }
  if (options.backoff.initialMs > options.backoff.maxMs) {
    throw invalid("siem.backoff.initial_ms", "must not exceed siem.backoff.max_ms");
  }
  if (!options.cursorName) throw invalid("siem.cursor", "must not be empty");
  if (!options.target.token) throw invalid("siem.target.token_env", "resolved to an empty token");
  if (options.format === "ocsf" && !options.transform) {
    throw invalid("siem.format", "is ocsf but no OCSF transform was supplied");
  }
}

function invalid(key: string, message: string): BridleError {
  return new BridleError("VALIDATION_FAILED", `${key} ${message}`, { key });
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
