import type Database from "better-sqlite3";
import { sealBatch, sealedRecord } from "../batch-sealing.js";
import { Column, columnBytes, columnString, type EncodedBatch } from "../event-encoding.js";
import { type ChainedBatch, hashAt } from "../ledger-row.js";
import type { Checkpoint } from "../ledger-store.js";
import { LOOKUP_FIELDS, LOOKUP_THROUGH_SQL } from "./lookup-query.js";
import { LookupWindow } from "./lookup-window.js";

type Head = { seq: number; hash: string };

export interface WriterOptions {
  /**
   * Events between two bulk updates of the trace, actor and event-type lookup (default
   * 32,768). Larger means fewer entries (a trace's events mostly fall in one stretch, so one
   * entry lists them all) and a longer tail for queries to walk: about 0.15 ms per thousand
   * events here, so a few milliseconds at most. Each update adds 20-50 ms to one commit.
   */
  lookupEvery?: number;
}

export const DEFAULT_LOOKUP_EVERY = 32_768;

/**
 * Everything that writes to the SQLite ledger, on one connection, synchronously. It runs in
 * the writer thread (file databases) or inline (`:memory:`); either way it is the only writer
 * of its connection. An append is one IMMEDIATE transaction: take the write lock, read the
 * head, seal the batch after it, insert, commit (fsync). IMMEDIATE takes the lock up front,
 * so two processes on one file never chain after the same head.
 *
 * The record and the lookup columns are bound as the encoded UTF-8 bytes and stored as TEXT
 * (`CAST(? AS TEXT)` reads a blob's bytes as text in the database's encoding, UTF-8): no
 * string is made of them on this thread.
 *
 * trace_id, actor_user and event_type are indexed in bulk: the writer groups the new events'
 * values in memory (LookupWindow) as it inserts them, and every `lookupEvery` events, inside
 * the append that crosses the mark, inserts one entry per distinct value (with the list of its
 * seqs) into `audit_lookup` and moves `through_seq` (see migrations 4 and 5, and
 * lookup-query.ts for how queries use it).
 */
export class SqliteWriter {
  private readonly head;
  private readonly insert;
  private readonly checkpoint;
  private readonly cursor;
  private readonly appendTx;
  private readonly lookup;
  private readonly lookupEvery: number;
  private readonly window = new LookupWindow();

  constructor(db: Database.Database, options: WriterOptions = {}) {
    this.lookupEvery = Math.max(1, options.lookupEvery ?? DEFAULT_LOOKUP_EVERY);
    this.lookup = {
      through: db.prepare<[], number>(LOOKUP_THROUGH_SQL).pluck(),
      rowsAfter: db
        .prepare<[number], [number, ...(string | null)[]]>(
          `SELECT seq, ${LOOKUP_FIELDS.map((f) => f.column).join(", ")} FROM audit_events WHERE seq > ? ORDER BY seq`,
        )
        .raw(),
      entry: db.prepare<[number, string, number, string]>(
        "INSERT INTO audit_lookup (field, value, last_seq, seqs) VALUES (?, ?, ?, ?)",
      ),
      advance: db.prepare<[number]>("UPDATE audit_lookup_progress SET through_seq = ? WHERE id = 1"),
    };
    this.head = db.prepare<[], Head>("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
    this.insert = db.prepare(
      `INSERT INTO audit_events (seq, timestamp_utc, event_type, trace_id, actor_user, record, prev_hash, hash)
       VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), ?, ?)`,
    );
    this.checkpoint = db.prepare(
      `INSERT INTO ledger_checkpoints (seq, hash, signed_at, key_id, signature) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (seq, key_id) DO NOTHING`,
    );
    this.cursor = db.prepare(
      `INSERT INTO ledger_cursors (name, seq, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`,
    );
    this.appendTx = db.transaction((batch: EncodedBatch) => this.insertBatch(batch));
  }

  append(batch: EncodedBatch): ChainedBatch {
    try {
      return this.appendTx.immediate(batch);
    } catch (error) {
      this.window.invalidate(); // it may hold events that were rolled back
      throw error;
    }
  }

  private insertBatch(batch: EncodedBatch): ChainedBatch {
    const sealed = sealBatch(batch, this.head.get() ?? null);
    this.catchUpWindow(sealed.after.seq);
    let prevHash = sealed.after.hash;
    for (let i = 0; i < sealed.count; i++) {
      const seq = sealed.after.seq + i + 1;
      const hash = hashAt(sealed, i);
      this.insert.run(
        seq,
        columnBytes(batch, i, Column.TimestampUtc),
        columnBytes(batch, i, Column.EventType),
        columnBytes(batch, i, Column.TraceId),
        columnBytes(batch, i, Column.ActorUser),
        sealedRecord(batch, i),
        prevHash,
        hash,
      );
      prevHash = hash;
      this.window.add(
        seq,
        LOOKUP_FIELDS.map((f) => columnString(batch, i, f.encoded)),
      );
    }
    if (this.window.end - this.window.base >= this.lookupEvery) this.indexLookups();
    return sealed;
  }

  /**
   * Brings the window to the rows `(through_seq, head]`. Only a restart, a failed append or
   * another process writing the file leaves it behind.
   */
  private catchUpWindow(head: number): void {
    const through = this.lookup.through.get() ?? 0;
    if (this.window.base !== through || this.window.end > head) this.window.reset(through);
    if (this.window.end < head) {
      for (const [seq, ...values] of this.lookup.rowsAfter.all(this.window.end)) this.window.add(seq, values);
    }
  }

  /** Inserts the window's entries and moves through_seq to its end. */
  private indexLookups(): void {
    for (const e of this.window.entries()) {
      this.lookup.entry.run(e.field, e.value, e.lastSeq, e.seqs);
    }
    this.lookup.advance.run(this.window.end);
    this.window.reset(this.window.end);
  }

  saveCheckpoint(cp: Checkpoint): void {
    this.checkpoint.run(cp.seq, cp.hash, cp.signed_at, cp.key_id, cp.signature);
  }

  setCursor(name: string, seq: number, at: string): void {
    this.cursor.run(name, seq, at);
  }
}
