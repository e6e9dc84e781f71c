import type { Worker } from "node:worker_threads";
import { BridleError } from "../../core/errors.js";
import type { EncodedBatch } from "../event-encoding.js";
import type { ChainedBatch } from "../ledger-row.js";
import type { Checkpoint } from "../ledger-store.js";
import type { WriterOptions } from "./sqlite-writer.js";
import { startWorker } from "./worker-boot.js";
import type { LedgerWriter, WriterReply, WriterRequest } from "./writer-protocol.js";

type Pending = { resolve: (value: ChainedBatch | null) => void; reject: (error: Error) => void };
/** A request before it is given its id (Omit distributed over the union). */
type Request = WriterRequest extends infer R ? (R extends unknown ? Omit<R, "id"> : never) : never;

/**
 * The SQLite writer on its own thread. Inserting and committing (with its fsync) is about half
 * of a durable event's cost; on a worker it no longer blocks the event loop, and it overlaps
 * with the main thread canonicalizing the next batch — that overlap is what lifts SQLite past
 * one core's worth of appends.
 *
 * Requests are answered in order. If the thread dies, every pending and later request fails
 * (nothing is acknowledged that the thread did not confirm). The thread keeps the process
 * alive only while a request is pending.
 */
export class WriterThread implements LedgerWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(path: string, options: WriterOptions = {}) {
    this.worker = startWorker("writer-worker", { path, writerOptions: options });
    this.worker.unref();
    this.worker.on("message", (reply: WriterReply) => this.settle(reply));
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", () =>
      this.fail(new BridleError("INTERNAL", "the ledger writer thread has stopped")),
    );
  }

  /** The buffers are transferred to the thread, not copied: they are unusable here after. */
  async append(batch: EncodedBatch): Promise<ChainedBatch> {
    const buffers = [batch.bytes.buffer, batch.bounds.buffer] as ArrayBuffer[];
    return (await this.request({ op: "append", batch }, buffers))!;
  }

  async saveCheckpoint(cp: Checkpoint): Promise<void> {
    await this.request({ op: "checkpoint", cp });
  }

  async setCursor(name: string, seq: number, at: string): Promise<void> {
    await this.request({ op: "cursor", name, seq, at });
  }

  /** Lets queued requests finish, then closes the connection and ends the thread. */
  async close(): Promise<void> {
    if (this.failure) return;
    await this.request({ op: "close" });
  }

  private request(request: Request, transfer: ArrayBuffer[] = []): Promise<ChainedBatch | null> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...request, id } as WriterRequest, transfer);
    });
  }

  private settle(reply: WriterReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new BridleError("INTERNAL", `audit ledger write failed: ${reply.message}`));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}
