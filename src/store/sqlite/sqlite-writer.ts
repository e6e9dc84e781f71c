import type Database from "better-sqlite3";
import { type ChainedBatch, chainTexts, type EventText, type IndexColumns } from "../ledger-row.js";
import type { Checkpoint } from "../ledger-store.js";

/** One event as the writer needs it: its canonical text and its lookup columns, no objects. */
export interface WriteRow extends EventText, IndexColumns {}

type Head = { seq: number; hash: string };

/**
 * Everything that writes to the SQLite ledger, on one connection, synchronously. It runs in
 * the writer thread (file databases) or inline (`:memory:`); either way it is the only writer
 * of its connection. An append is one IMMEDIATE transaction: take the write lock, read the
 * head, chain the batch after it, insert, commit (fsync). IMMEDIATE takes the lock up front,
 * so two processes on one file never chain after the same head.
 */
export class SqliteWriter {
  private readonly head;
  private readonly insert;
  private readonly checkpoint;
  private readonly cursor;
  private readonly appendTx;

  constructor(db: Database.Database) {
    this.head = db.prepare<[], Head>("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
    this.insert = db.prepare(
      `INSERT INTO audit_events (seq, timestamp_utc, event_type, trace_id, actor_user, record, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.checkpoint = db.prepare(
      `INSERT INTO ledger_checkpoints (seq, hash, signed_at, key_id, signature) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (seq, key_id) DO NOTHING`,
    );
    this.cursor = db.prepare(
      `INSERT INTO ledger_cursors (name, seq, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`,
    );
    this.appendTx = db.transaction((rows: readonly WriteRow[]) => this.insertBatch(rows));
  }

  append(rows: readonly WriteRow[]): ChainedBatch {
    return this.appendTx.immediate(rows);
  }

  private insertBatch(rows: readonly WriteRow[]): ChainedBatch {
    const { texts, batch } = chainTexts(rows, this.head.get() ?? null);
    let prev = batch.after.hash;
    for (const [i, row] of rows.entries()) {
      const hash = batch.hashes[i]!;
      this.insert.run(
        batch.after.seq + i + 1,
        row.timestamp_utc,
        row.event_type,
        row.trace_id,
        row.actor_user,
        texts[i],
        prev,
        hash,
      );
      prev = hash;
    }
    return batch;
  }

  saveCheckpoint(cp: Checkpoint): void {
    this.checkpoint.run(cp.seq, cp.hash, cp.signed_at, cp.key_id, cp.signature);
  }

  setCursor(name: string, seq: number, at: string): void {
    this.cursor.run(name, seq, at);
  }
}
