import type { AuditEvent } from "../core/audit/event.js";
import { BridleError } from "../core/errors.js";
import type { LedgerRecord } from "../core/ledger/record.js";
import type { AuditSink } from "./audit-sink.js";
import type { LedgerStore } from "./ledger-store.js";

export interface LedgerSinkOptions {
  /** The most events one commit carries (default 5,000). */
  maxBatch?: number;
  /**
   * Called after each durable commit, in commit order, once the batch's callers have their
   * acknowledgements (e.g. to sign a checkpoint every N events). Awaited before the next
   * commit starts, so it sees batches one at a time; its failure never un-acknowledges events.
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
 * commit that carries it is durable. One commit is in flight at a time; it takes everything
 * queued (up to `maxBatch`), so under load thousands of events share one fsync, and with one
 * caller an event waits for nothing but its own commit.
 *
 * A failed commit rejects every event of its batch: none is acknowledged, whatever the store
 * managed to write (a commit whose outcome is unknown may still be on disk, which is allowed;
 * acknowledging one that is not, never is). The next batch tries again from the store's head.
 */
export class LedgerSink implements AuditSink {
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  /** Events queued and events settled (committed or rejected) so far: what `flush` waits on. */
  private enqueued = 0;
  private settled = 0;
  private waiters: { target: number; resolve: () => void }[] = [];

  constructor(
    private readonly store: LedgerStore,
    private readonly options: LedgerSinkOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 5000);
  }

  /** AuditSink: resolves once the event is durable. */
  async append(event: AuditEvent): Promise<void> {
    await this.appendRecord(event);
  }

  /** Resolves with the durable record (its `seq` and `hash`) once its commit is done. */
  appendRecord(event: AuditEvent): Promise<LedgerRecord> {
    if (this.closed) return Promise.reject(new BridleError("INTERNAL", "the audit ledger is closed"));
    return new Promise<LedgerRecord>((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      this.enqueued++;
      this.kick();
    });
  }

  appendMany(events: readonly AuditEvent[]): Promise<LedgerRecord[]> {
    return Promise.all(events.map((event) => this.appendRecord(event)));
  }

  /** Resolves once everything queued before the call has been committed or rejected. */
  flush(): Promise<void> {
    const target = this.enqueued;
    if (this.settled >= target) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }

  /** Refuses new events, drains the queue, then closes the store. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.store.close();
  }

  private kick(): void {
    if (!this.running) this.running = this.drain();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      // Yield to the event loop before each commit: I/O gets its turn (a SQLite commit blocks
      // the thread), events arriving meanwhile join this batch, and callers that append again
      // as soon as they are acknowledged cannot keep the loop busy on microtasks forever.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = this.queue.splice(0, this.maxBatch);
      const records = await this.commit(batch);
      if (records && this.options.onCommitted) await this.runHook(records);
      this.settle(batch.length);
    }
    this.running = null;
  }

  private settle(count: number): void {
    this.settled += count;
    const ready = this.waiters.filter((w) => w.target <= this.settled);
    this.waiters = this.waiters.filter((w) => w.target > this.settled);
    for (const w of ready) w.resolve();
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

  private async runHook(records: readonly LedgerRecord[]): Promise<void> {
    try {
      await this.options.onCommitted?.(records);
    } catch (error) {
      this.options.onHookError?.(error);
    }
  }
}
