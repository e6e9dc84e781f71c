import type Database from "better-sqlite3";
import { BridleError } from "../../core/errors.js";

/**
 * The SQLite schema, as numbered steps. A step never changes once released; a new need is a
 * new step. `audit_events.record` is the canonical JSON that was hashed (see ledger-row.ts);
 * the other columns are copies for indexed queries.
 *
 * The triggers make the table append-only to anyone using SQL through this database too. An
 * attacker with write access to the file can drop them — which is why the chain and the signed
 * checkpoints exist — but nothing in Bridle ever does.
 */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY,
        timestamp_utc TEXT NOT NULL,
        event_type TEXT NOT NULL,
        trace_id TEXT NOT NULL,
        actor_user TEXT,
        record TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_events_trace_id ON audit_events (trace_id, seq);
      CREATE INDEX audit_events_actor_user ON audit_events (actor_user, seq);
      CREATE INDEX audit_events_event_type ON audit_events (event_type, seq);
      CREATE INDEX audit_events_timestamp ON audit_events (timestamp_utc);
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
      CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
      CREATE TABLE ledger_checkpoints (
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        signed_at TEXT NOT NULL,
        key_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        PRIMARY KEY (seq, key_id)
      );
      CREATE TABLE ledger_cursors (
        name TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    // Delegations Bridle issued (identity): revocation and the non-human inventory.
    version: 2,
    sql: `
      CREATE TABLE delegations (
        id TEXT PRIMARY KEY,
        parent_id TEXT REFERENCES delegations (id),
        subject TEXT NOT NULL,
        agent TEXT NOT NULL,
        chain TEXT NOT NULL,
        scope TEXT NOT NULL,
        purpose TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT,
        revoke_reason TEXT,
        last_used_at TEXT,
        uses BIGINT NOT NULL DEFAULT 0
      );
      CREATE INDEX delegations_parent ON delegations (parent_id);
      CREATE INDEX delegations_agent ON delegations (agent, issued_at);
    `,
  },
  {
    // Gated actions: approvals, the runtime kill switch, call history (rate limits, breakers,
    // blast radius) and the snapshots rollbacks restore.
    version: 3,
    sql: `
      CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        trace_id TEXT NOT NULL,
        tool TEXT NOT NULL,
        requester TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        claimed_at TEXT,
        document TEXT NOT NULL
      );
      CREATE INDEX approvals_status ON approvals (status, expires_at);
      CREATE TABLE runtime_kill_switch (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        settings TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        version BIGINT NOT NULL
      );
      CREATE TABLE tool_calls (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        tool TEXT NOT NULL,
        user_id TEXT NOT NULL,
        agent TEXT,
        outcome TEXT NOT NULL,
        resources BIGINT NOT NULL DEFAULT 0
      );
      CREATE INDEX tool_calls_tool_at ON tool_calls (tool, at);
      CREATE INDEX tool_calls_user_at ON tool_calls (user_id, at);
      CREATE INDEX tool_calls_agent_at ON tool_calls (agent, at);
      CREATE TABLE change_snapshots (
        trace_id TEXT PRIMARY KEY,
        tool TEXT NOT NULL,
        args TEXT NOT NULL,
        before_state TEXT NOT NULL,
        after_state TEXT,
        taken_at TEXT NOT NULL,
        rolled_back_by TEXT
      );
    `,
  },
  {
    // trace_id and actor_user are indexed in bulk, not row by row. A row index took a B-tree
    // insert per event at a random place (trace ids are random), and every commit rewrote the
    // pages it dirtied to the WAL: half the writer's time, growing with the table. Now the
    // writer adds the entries of tens of thousands of events at once (SqliteWriter), one entry
    // per value with the list of its seqs, and queries walk the unindexed tail
    // (sqlite/lookup-query.ts). event_type and timestamp_utc keep their row indexes: their
    // inserts land at the end of a handful of ranges, cheaply.
    //
    // field: 1 = trace_id, 2 = actor_user (3 = event_type, migration 5). seqs: a JSON array
    // of the seqs, ascending; each entry covers one stretch of seq, and the stretches of one
    // value never overlap, so entries in last_seq order list the value's events in seq order.
    // Events already stored are grouped by 32,768-seq stretches, so no entry grows without
    // bound.
    version: 4,
    sql: `
      DROP INDEX audit_events_trace_id;
      DROP INDEX audit_events_actor_user;
      CREATE TABLE audit_lookup (
        field INTEGER NOT NULL,
        value TEXT NOT NULL,
        last_seq INTEGER NOT NULL,
        seqs TEXT NOT NULL,
        PRIMARY KEY (field, value, last_seq)
      ) WITHOUT ROWID;
      CREATE TABLE audit_lookup_progress (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        through_seq INTEGER NOT NULL
      );
      INSERT INTO audit_lookup (field, value, last_seq, seqs)
        SELECT 1, trace_id, MAX(seq), json_group_array(seq ORDER BY seq)
        FROM audit_events GROUP BY trace_id, seq >> 15;
      INSERT INTO audit_lookup (field, value, last_seq, seqs)
        SELECT 2, actor_user, MAX(seq), json_group_array(seq ORDER BY seq)
        FROM audit_events WHERE actor_user IS NOT NULL GROUP BY actor_user, seq >> 15;
      INSERT INTO audit_lookup_progress (id, through_seq)
        SELECT 1, COALESCE(MAX(seq), 0) FROM audit_events;
    `,
  },
  {
    // event_type joins the bulk lookup (field 3). Its row index took one insert per event into
    // one range per event type, and every commit rewrote each range's last 32 KiB page to the
    // WAL: with the handful of types a run writes, a few hundred KB per commit. The events up
    // to through_seq get their entries here, by 32,768-seq stretch; the writer's window covers
    // the rest.
    version: 5,
    sql: `
      DROP INDEX audit_events_event_type;
      INSERT INTO audit_lookup (field, value, last_seq, seqs)
        SELECT 3, event_type, MAX(seq), json_group_array(seq ORDER BY seq) FROM audit_events
        WHERE seq <= (SELECT through_seq FROM audit_lookup_progress WHERE id = 1)
        GROUP BY event_type, seq >> 15;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Applies the steps this database lacks, in one IMMEDIATE transaction (two openers migrate once). */
export function migrate(db: Database.Database, now: () => Date): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
  );
  const apply = db.transaction(() => {
    const row = db.prepare("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").get() as {
      v: number;
    };
    const record = db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
    if (row.v > SCHEMA_VERSION) {
      throw new BridleError(
        "INTERNAL",
        `the ledger database is at schema ${row.v}, newer than this Bridle (${SCHEMA_VERSION})`,
      );
    }
    for (const step of MIGRATIONS) {
      if (step.version <= row.v) continue;
      db.exec(step.sql);
      record.run(step.version, now().toISOString());
    }
  });
  apply.immediate();
}
