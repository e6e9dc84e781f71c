import type { EncodedBatch } from "../event-encoding.js";
import type { ChainedBatch } from "../ledger-row.js";
import type { Checkpoint } from "../ledger-store.js";
import type { SqliteWriter } from "./sqlite-writer.js";

/** What the store asks of its writer, inline or across a thread. */
export interface LedgerWriter {
  /**
   * Seals the batch after the head and appends it. May take the buffers (a thread transfers
   * them): the caller must not use them again.
   */
  append(batch: EncodedBatch): Promise<ChainedBatch>;
  saveCheckpoint(cp: Checkpoint): Promise<void>;
  setCursor(name: string, seq: number, at: string): Promise<void>;
  close(): Promise<void>;
}

/** Messages to the writer thread; each request gets one reply with the same id. */
export type WriterRequest =
  | { id: number; op: "append"; batch: EncodedBatch }
  | { id: number; op: "checkpoint"; cp: Checkpoint }
  | { id: number; op: "cursor"; name: string; seq: number; at: string }
  | { id: number; op: "close" };

export type WriterReply =
  | { id: number; ok: true; value: ChainedBatch | null }
  | { id: number; ok: false; message: string };

/** Runs one request on a writer: the same code inline and in the thread. */
export function serve(
  writer: SqliteWriter,
  request: Exclude<WriterRequest, { op: "close" }>,
): ChainedBatch | null {
  switch (request.op) {
    case "append":
      return writer.append(request.batch);
    case "checkpoint":
      writer.saveCheckpoint(request.cp);
      return null;
    case "cursor":
      writer.setCursor(request.name, request.seq, request.at);
      return null;
  }
}

/** The writer on the caller's own thread: for `:memory:`, which one connection must serve. */
export class InlineWriter implements LedgerWriter {
  constructor(private readonly writer: SqliteWriter) {}

  async append(batch: EncodedBatch): Promise<ChainedBatch> {
    return this.writer.append(batch);
  }

  async saveCheckpoint(cp: Checkpoint): Promise<void> {
    this.writer.saveCheckpoint(cp);
  }

  async setCursor(name: string, seq: number, at: string): Promise<void> {
    this.writer.setCursor(name, seq, at);
  }

  async close(): Promise<void> {}
}
