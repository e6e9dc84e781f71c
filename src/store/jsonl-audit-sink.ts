import { mkdirSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { AuditEvent } from "../core/audit/event.js";
import type { AuditSink } from "./audit-sink.js";

/**
 * An append-only JSONL file, fsynced before `append` resolves. Appends that arrive while a
 * write is in flight are batched into the next write, so one fdatasync covers many events
 * (group commit) without ever acknowledging an event that is not on disk.
 */
export class JsonlAuditSink implements AuditSink {
  private handle: Promise<FileHandle>;
  private pending: { line: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.handle = open(path, "a", 0o600);
  }

  append(event: AuditEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ line: `${JSON.stringify(event)}\n`, resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        const fh = await this.handle;
        await fh.appendFile(batch.map((b) => b.line).join(""));
        await fh.datasync();
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error as Error);
      }
    }
    this.flushing = null;
  }

  async close(): Promise<void> {
    await this.flushing;
    await (await this.handle).close();
  }
}
