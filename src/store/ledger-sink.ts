import type { AuditEvent } from "../core/audit/event.js";
import { BridleError } from "../core/errors.js";
import type { LedgerRecord } from "../core/ledger/record.js";
import type { AuditSink } from "./audit-sink.js";
import { BatchEncoder } from "./event-encoding.js";
import { type ChainedBatch, recordOf } from "./ledger-row.js";
import type { LedgerStore } from "./ledger-store.js";

export interface LedgerSinkOptions {
  /** The most events one commit carries (default 1,000). */
  maxBatch?: number;
  /**
   * Batches handed to the store at once; the store still chains them one after the other.
   * Default 4 on SQLite, where they queue at the writer thread: it never waits for the next
   * batch, and a stall on either thread does not idle the other (measured: about 1.2x the
   * rate of 2 at full load). Default 2 on PostgreSQL, where each one holds a pool connection
   * while it waits for the head row lock.
   */
  maxInFlight?: number;
  /**
   * Called after each durable commit, once the batch's callers have their acknowledgements
   * (e.g. to sign a checkpoint every N events). Calls never overlap; a failure never
   * un-acknowledges events.
   */
  onCommitted?: (batch: ChainedBatch) => void | Promise<void>;
  /** Where a failure of `onCommitted` goes; without it such failures are dropped. */
  onHookError?: (error: unknown) => void;
}

/** The buffer a new batch starts with, at least; it grows to what the previous batch needed. */
const MIN_BATCH_BYTES = 64 * 1024;
const MAX_BATCH_BYTES_HINT = 64 * 1024 * 1024;

/** Events appended between two dispatches: encoded as they arrive, committed together. */
class Batch {
  readonly encoder: BatchEncoder;
  /** Settles with the commit. Callers get promises derived from it, never this one. */
  readonly result: Promise<ChainedBatch>;
  settle!: { resolve: (b: ChainedBatch) => void; reject: (error: unknown) => void };
  private ack: Promise<void> | null = null;

  /** `start`: the sink-wide index of the batch's first event. */
  constructor(
    readonly start: number,
    bytes: number,
    events: number,
  ) {
    this.encoder = new BatchEncoder(bytes, events);
    this.result = new Promise<ChainedBatch>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Failures reach callers through `acked` and `appendRecord`'s promises.
    this.result.catch(() => undefined);
  }

  /** One acknowledgement shared by every `append` caller of the batch: no promise per event. */
  acked(): Promise<void> {
    this.ack ??= this.result.then(() => undefined);
    return this.ack;
  }
}

/**
 * Group commit in front of a LedgerStore. `append` encodes the event at once (so a value JSON
 * cannot carry is refused to its caller alone) and resolves only after the commit that carries
 * it is durable. A commit takes everything queued (up to `maxBatch`), so under load a thousand
 * events share one fsync, and a lone caller waits for nothing but its own commit.
 *
 * A failed commit rejects every event of its batch: none is acknowledged, whatever the store
 * managed to write (a commit whose outcome is unknown may be on disk, which is allowed;
 * acknowledging one that is not, never is). The next batch tries again from the store's head.
 */
export class LedgerSink implements AuditSink {
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  /** Batches not yet sent to the store, oldest first; only the last one takes new events. */
  private queue: Batch[] = [];
  private readonly inFlight = new Set<Batch>();
  private scheduled = false;
  private closed = false;
  /** Every accepted event gets the next index. */
  private enqueued = 0;
  private waiters: { target: number; resolve: () => void }[] = [];
  private hooks: Promise<void> = Promise.resolve();
  private sizeHint = { bytes: MIN_BATCH_BYTES, events: 256 };

  constructor(
    private readonly store: LedgerStore,
    private readonly options: LedgerSinkOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 1000);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? (store.kind === "sqlite" ? 4 : 2));
  }

  /** AuditSink: resolves once the event is durable. */
  append(event: AuditEvent): Promise<void> {
    try {
      return this.accept(event).batch.acked();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Resolves with the durable record (its `seq` and `hash`) once its commit is done. */
  appendRecord(event: AuditEvent): Promise<LedgerRecord> {
    try {
      const { batch, index } = this.accept(event);
      return batch.result.then((chained) => recordOf(event, chained, index));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  appendMany(events: readonly AuditEvent[]): Promise<LedgerRecord[]> {
    return Promise.all(events.map((event) => this.appendRecord(event)));
  }

  /** Resolves once every event queued before the call has been committed or rejected. */
  flush(): Promise<void> {
    const target = this.enqueued;
    if (this.settledBelow() >= target) return this.hooks;
    return new Promise<void>((resolve) => this.waiters.push({ target, resolve })).then(() => this.hooks);
  }

  /** Refuses new events, drains the queue, then closes the store. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.store.close();
  }

  /** Encodes the event into the open batch; throws (and accepts nothing) if it cannot. */
  private accept(event: AuditEvent): { batch: Batch; index: number } {
    if (this.closed) throw new BridleError("INTERNAL", "the audit ledger is closed");
    let batch = this.queue.at(-1);
    if (!batch || batch.encoder.count >= this.maxBatch) {
      batch = new Batch(this.enqueued, this.sizeHint.bytes, this.sizeHint.events);
      this.queue.push(batch);
    }
    batch.encoder.add(event);
    this.enqueued++;
    this.schedule();
    return { batch, index: batch.encoder.count - 1 };
  }

  /**
   * Dispatches on the next turn of the event loop, not at once: events arriving in the same
   * turn join the batch, I/O callbacks get their turn between commits, and callers that append
   * again as soon as they are acknowledged cannot starve the loop on microtasks.
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight.size >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight.size < this.maxInFlight && this.queue.length > 0)
        this.dispatch(this.queue.shift()!);
    });
  }

  private dispatch(batch: Batch): void {
    this.inFlight.add(batch);
    // The next batch starts with the buffer this one needed (bounded), so it rarely regrows.
    this.sizeHint = {
      bytes: Math.min(MAX_BATCH_BYTES_HINT, Math.max(MIN_BATCH_BYTES, batch.encoder.byteLength)),
      events: Math.max(1, batch.encoder.count),
    };
    void this.store.appendEncoded(batch.encoder.finish()).then(
      (chained) => {
        batch.settle.resolve(chained);
        this.committed(batch, chained);
      },
      (error: unknown) => {
        batch.settle.reject(error);
        this.committed(batch, null);
      },
    );
  }

  private committed(batch: Batch, chained: ChainedBatch | null): void {
    this.inFlight.delete(batch);
    const hook = this.options.onCommitted;
    if (chained && hook) this.hooks = this.hooks.then(() => this.runHook(hook, chained));
    this.wake();
    this.schedule();
  }

  /** Events below this index are all settled: the oldest batch in flight or queued, else all. */
  private settledBelow(): number {
    let low = this.queue[0]?.start ?? this.enqueued;
    for (const batch of this.inFlight) low = Math.min(low, batch.start);
    return low;
  }

  private wake(): void {
    const settled = this.settledBelow();
    const ready = this.waiters.filter((w) => w.target <= settled);
    this.waiters = this.waiters.filter((w) => w.target > settled);
    for (const w of ready) w.resolve();
  }

  private async runHook(hook: NonNullable<LedgerSinkOptions["onCommitted"]>, batch: ChainedBatch) {
    try {
      await hook(batch);
    } catch (error) {
      this.options.onHookError?.(error);
    }
  }
}
