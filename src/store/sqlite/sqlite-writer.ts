import type Database from "better-sqlite3";
import { type SealedBatch, sealBatch, sealedRecord } from "../batch-sealing.js";
import { Column, columnBytes, type EncodedBatch } from "../event-encoding.js";
import { type ChainedBatch, hashAt } from "../ledger-row.js";
import type { Checkpoint } from "../ledger-store.js";
import { LOOKUP_THROUGH_SQL, LookupField } from "./lookup-query.js";

type Head = { seq: number; hash: string };

/** What an append reports: where the batch landed, and whether the caller's sealing was redone. */
export interface WrittenBatch extends ChainedBatch {
  resealed: boolean;
}

export interface WriterOptions {
  /**
   * Events between two bulk updates of the trace and actor lookup (default 32,768). Larger
   * means fewer entries (a trace's events mostly fall in one stretch, so one entry lists them
   * all) and a longer tail for queries to walk: about 0.15 ms per thousand events here, so a
   * few milliseconds at most. Each update adds a few tens of milliseconds to one commit.
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
 * trace_id and actor_user are indexed in bulk: every `lookupEvery` events, inside the append
 * that crosses the mark, one INSERT…SELECT per column adds an entry per distinct value of the
 * new events (with the list of its seqs) to `audit_lookup` and moves `through_seq` (see
 * migration 4, and lookup-query.ts for how queries use it).
 */
export class SqliteWriter {
  private readonly head;
  private readonly insert;
  private readonly checkpoint;
  private readonly cursor;
  private readonly appendTx;
  private readonly lookup;
  private readonly lookupEvery: number;

  constructor(db: Database.Database, options: WriterOptions = {}) {
    this.lookupEvery = Math.max(1, options.lookupEvery ?? DEFAULT_LOOKUP_EVERY);
    const fill = (field: number, column: string) =>
      db.prepare<[number]>(
        `INSERT INTO audit_lookup (field, value, last_seq, seqs)
         SELECT ${field}, ${column}, MAX(seq), json_group_array(seq ORDER BY seq) FROM audit_events
         WHERE seq > ? AND ${column} IS NOT NULL GROUP BY ${column}`,
      );
    this.lookup = {
      through: db.prepare<[], number>(LOOKUP_THROUGH_SQL).pluck(),
      traces: fill(LookupField.TraceId, "trace_id"),
      actors: fill(LookupField.ActorUser, "actor_user"),
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
    this.appendTx = db.transaction((batch: EncodedBatch, sealed: SealedBatch | null) =>
      this.insertBatch(batch, sealed),
    );
  }

  append(batch: EncodedBatch, sealed: SealedBatch | null): WrittenBatch {
    return this.appendTx.immediate(batch, sealed);
  }

  private insertBatch(batch: EncodedBatch, presealed: SealedBatch | null): WrittenBatch {
    const head = this.head.get() ?? null;
    const valid = presealed !== null && sameHead(presealed.after, head);
    const sealed = valid ? presealed : sealBatch(batch, head);
    let prevHash = sealed.after.hash;
    for (let i = 0; i < sealed.count; i++) {
      const hash = hashAt(sealed, i);
      this.insert.run(
        sealed.after.seq + i + 1,
        columnBytes(batch, i, Column.TimestampUtc),
        columnBytes(batch, i, Column.EventType),
        columnBytes(batch, i, Column.TraceId),
        columnBytes(batch, i, Column.ActorUser),
        sealedRecord(sealed, i),
        prevHash,
        hash,
      );
      prevHash = hash;
    }
    this.indexLookups(sealed.after.seq + sealed.count);
    return { after: sealed.after, count: sealed.count, hashes: sealed.hashes, resealed: !valid };
  }

  /** Adds the lookup entries of the events after `through_seq`, once there are enough of them. */
  private indexLookups(head: number): void {
    const through = this.lookup.through.get() ?? 0;
    if (head - through < this.lookupEvery) return;
    this.lookup.traces.run(through);
    this.lookup.actors.run(through);
    this.lookup.advance.run(head);
  }

  saveCheckpoint(cp: Checkpoint): void {
    this.checkpoint.run(cp.seq, cp.hash, cp.signed_at, cp.key_id, cp.signature);
  }

  setCursor(name: string, seq: number, at: string): void {
    this.cursor.run(name, seq, at);
  }
}

/** The head a batch was sealed after, against the one read under the lock (null: genesis). */
function sameHead(expected: Head, actual: Head | null): boolean {
  return actual === null ? expected.seq === 0 : expected.seq === actual.seq && expected.hash === actual.hash;
}
