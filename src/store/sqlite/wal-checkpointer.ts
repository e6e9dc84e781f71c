import type { Worker } from "node:worker_threads";
import { startWorker } from "./worker-boot.js";

/**
 * Checkpoints a ledger file's WAL from a thread of its own. A checkpoint copies the WAL's
 * pages into the database file and syncs it: tens of milliseconds per 32 MB here. Left to
 * SQLite's auto-checkpoint alone, the writer thread does all of it after a commit (every
 * 1,000 pages), and every batch queued behind that commit waits. This thread copies the pages
 * as they are committed, so when the writer's auto-checkpoint comes round it finds them
 * already copied and only finishes the job (the rest, a sync, and starting the WAL over).
 * The auto-checkpoint stays as it was: if this thread stops, nothing changes but the speed.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(path: string) {
    this.worker = startWorker("checkpoint-worker", { path, everyMs: IDLE_PASS_EVERY_MS });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
    // If this thread fails, the writer's auto-checkpoint does all the work again: nothing is lost.
    this.worker.on("error", () => undefined);
  }

  async close(): Promise<void> {
    this.worker.ref(); // until it has exited: an unreferenced thread would let the process end first
    this.worker.postMessage("stop");
    await this.exited;
  }
}

/** How long the thread sleeps after a pass that found nothing new to copy. */
const IDLE_PASS_EVERY_MS = 50;
