import type { AuditEvent } from "../core/audit/event.js";
import { BridleError } from "../core/errors.js";
import type { LedgerRecord } from "../core/ledger/record.js";
import type { AuditSink } from "./audit-sink.js";
import type { LedgerStore } from "./ledger-store.js";

export interface LedgerSinkOptions {
  /** The most events one commit carries (default 1,000). */
  maxBatch?: number;
  /**
   * Commits in flight at once (default 2). With two, the next batch is canonicalized and sent
   * while the previous one is being fsynced; the store still chains them one after the other.
   */
  maxInFlight?: number;
  /**
   * Called after each durable commit, once the batch's callers have their acknowledgements
   * (e.g. to sign a checkpoint every N events). Calls never overlap; a failure never
   * un-acknowledges events.
   */
  onCommitted?: (records: readonly LedgerRecord[]) => void | Promise<void>;
  /** Where a failure of `onCommitted` goes; without it such failures are dropped. */
  onHookError?: (error: unknown) => void;
}

interface Pending {
  event: AuditEvent;
  resolve: (record: LedgerRecord) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit in front of a LedgerStore. `append` queues the event and resolves only after the
 * commit that carries it is durable. A commit takes everything queued (up to `maxBatch`), so
 * under load a thousand events share one fsync, and a lone caller waits for nothing but its
 * own commit.
 *
 * A failed commit rejects every event of its batch: none is acknowledged, whatever the store
 * managed to write (a commit whose outcome is unknown may be on disk, which is allowed;
 * acknowledging one that is not, never is). The next batch tries again from the store's head.
 */
export class LedgerSink implements AuditSink {
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  /** Every event gets the next index; each batch in flight covers [start, end). */
  private enqueued = 0;
  private readonly inFlight = new Set<number>();
  private waiters: { target: number; resolve: () => void }[] = [];
  private hooks: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: LedgerStore,
    private readonly options: LedgerSinkOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 1000);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 2);
  }

  /** AuditSink: resolves once the event is durable. */
  append(event: AuditEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => this.enqueue(event, () => resolve(), reject));
  }

  /** Resolves with the durable record (its `seq` and `hash`) once its commit is done. */
  appendRecord(event: AuditEvent): Promise<LedgerRecord> {
    return new Promise<LedgerRecord>((resolve, reject) => this.enqueue(event, resolve, reject));
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

  private enqueue(event: AuditEvent, resolve: Pending["resolve"], reject: Pending["reject"]): void {
    if (this.closed) {
      reject(new BridleError("INTERNAL", "the audit ledger is closed"));
      return;
    }
    this.queue.push({ event, resolve, reject });
    this.enqueued++;
    this.schedule();
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
      while (this.inFlight.size < this.maxInFlight && this.queue.length > 0) this.dispatch();
    });
  }

  private dispatch(): void {
    const start = this.enqueued - this.queue.length;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight.add(start);
    void this.commit(batch).then((records) => {
      this.inFlight.delete(start);
      if (records && this.options.onCommitted) this.hooks = this.hooks.then(() => this.runHook(records));
      this.wake();
      this.schedule();
    });
  }

  private async commit(batch: Pending[]): Promise<LedgerRecord[] | null> {
    try {
      const records = await this.store.append(batch.map((p) => p.event));
      for (const [i, p] of batch.entries()) p.resolve(records[i]!);
      return records;
    } catch (error) {
      for (const p of batch) p.reject(error);
      return null;
    }
  }

  /** Events below this index are all settled: the oldest batch in flight, else the queue's head. */
  private settledBelow(): number {
    let low = this.enqueued - this.queue.length;
    for (const start of this.inFlight) low = Math.min(low, start);
    return low;
  }

  private wake(): void {
    const settled = this.settledBelow();
    const ready = this.waiters.filter((w) => w.target <= settled);
    this.waiters = this.waiters.filter((w) => w.target > settled);
    for (const w of ready) w.resolve();
  }

  private async runHook(records: readonly LedgerRecord[]): Promise<void> {
    try {
      await this.options.onCommitted?.(records);
    } catch (error) {
      this.options.onHookError?.(error);
    }
  }
}
