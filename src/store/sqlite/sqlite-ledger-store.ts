import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { AuditEvent } from "../../core/audit/event.js";
import type { LedgerRecord } from "../../core/ledger/record.js";
import { buildEventQuery } from "../event-query.js";
import { clampLimit, type PreparedEvent, prepareEvent, recordFromRow, sealBatch } from "../ledger-row.js";
import type { Checkpoint, EventQuery, LedgerStore } from "../ledger-store.js";
import { migrate } from "./migrations.js";

type Row = { record: string; hash: string };
type Head = { seq: number; hash: string };

export interface SqliteStoreOptions {
  /** The clock for `applied_at` and cursor timestamps (tests inject one). */
  now?: () => Date;
}

/**
 * The embedded ledger: one SQLite file in WAL mode with `synchronous=FULL`, so a commit has
 * reached the disk (fsync of the WAL) before `append` returns. Each append is one IMMEDIATE
 * transaction that reads the head, chains the batch after it and inserts it; IMMEDIATE takes
 * the write lock up front, so even two processes on one file never fork the chain.
 *
 * better-sqlite3 is synchronous: a commit blocks the event loop for one fsync. Group commit
 * (LedgerSink) keeps that to one fsync per batch, not per event.
 */
export class SqliteLedgerStore implements LedgerStore {
  readonly kind = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly queries = new Map<string, Database.Statement>();
  private readonly stmt;
  private readonly appendTx: Database.Transaction<(prepared: readonly PreparedEvent[]) => LedgerRecord[]>;

  /** `path` is a file (created 0600 in a 0700 folder when missing) or `:memory:`. */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (path !== ":memory:") createPrivateFile(path);
    this.db = new Database(path);
    this.now = options.now ?? (() => new Date());
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 5000");
    migrate(this.db, this.now);
    this.stmt = {
      head: this.db.prepare<[], Head>("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"),
      insert: this.db.prepare(
        `INSERT INTO audit_events (seq, timestamp_utc, event_type, trace_id, actor_user, record, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      range: this.db.prepare<[number, number], Row>(
        "SELECT record, hash FROM audit_events WHERE seq >= ? AND seq < ? ORDER BY seq",
      ),
      saveCheckpoint: this.db.prepare(
        `INSERT INTO ledger_checkpoints (seq, hash, signed_at, key_id, signature) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (seq, key_id) DO NOTHING`,
      ),
      checkpoints: this.db.prepare<[], Checkpoint>(
        "SELECT seq, hash, signed_at, key_id, signature FROM ledger_checkpoints ORDER BY seq, key_id",
      ),
      getCursor: this.db.prepare<[string], { seq: number }>("SELECT seq FROM ledger_cursors WHERE name = ?"),
      setCursor: this.db.prepare(
        `INSERT INTO ledger_cursors (name, seq, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`,
      ),
    };
    this.appendTx = this.db.transaction((prepared: readonly PreparedEvent[]) => this.insertBatch(prepared));
  }

  async append(events: readonly AuditEvent[]): Promise<LedgerRecord[]> {
    if (events.length === 0) return [];
    // Canonicalize before taking the write lock; only the splice and the hash run inside it.
    const prepared = events.map(prepareEvent);
    return this.appendTx.immediate(prepared);
  }

  private insertBatch(prepared: readonly PreparedEvent[]): LedgerRecord[] {
    const rows = sealBatch(prepared, this.stmt.head.get() ?? null);
    for (const { record, text } of rows) {
      this.stmt.insert.run(
        record.seq,
        record.timestamp_utc,
        record.event_type,
        record.trace_id,
        record.actor?.user ?? null,
        text,
        record.prev_hash,
        record.hash,
      );
    }
    return rows.map((r) => r.record);
  }

  async head(): Promise<Head | null> {
    return this.stmt.head.get() ?? null;
  }

  async readRange(fromSeq: number, limit: number): Promise<LedgerRecord[]> {
    if (limit <= 0) return [];
    return this.stmt.range.all(fromSeq, fromSeq + limit).map((r) => recordFromRow(r.record, r.hash));
  }

  async query(q: EventQuery): Promise<LedgerRecord[]> {
    const limit = clampLimit(q.limit);
    if (limit === 0) return [];
    const { sql, params } = buildEventQuery(q, limit, () => "?");
    let stmt = this.queries.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.queries.set(sql, stmt);
    }
    return (stmt.all(...params) as Row[]).map((r) => recordFromRow(r.record, r.hash));
  }

  async saveCheckpoint(cp: Checkpoint): Promise<void> {
    this.stmt.saveCheckpoint.run(cp.seq, cp.hash, cp.signed_at, cp.key_id, cp.signature);
  }

  async checkpoints(): Promise<Checkpoint[]> {
    return this.stmt.checkpoints.all();
  }

  async getCursor(name: string): Promise<number> {
    return this.stmt.getCursor.get(name)?.seq ?? 0;
  }

  async setCursor(name: string, seq: number): Promise<void> {
    this.stmt.setCursor.run(name, seq, this.now().toISOString());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Creates the database file owner-only before SQLite does (its default follows the umask). */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (existsSync(path)) return;
  closeSync(openSync(path, "a", 0o600));
  chmodSync(path, 0o600);
}
