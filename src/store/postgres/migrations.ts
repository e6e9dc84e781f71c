import type { Pool } from "pg";
import { BridleError } from "../../core/errors.js";
import { GENESIS_HASH } from "../../core/ledger/record.js";

/**
 * The PostgreSQL schema, as numbered steps (never edited once released). Same tables as SQLite
 * plus `ledger_head`: one row holding the chain's head, which every append locks
 * (`SELECT … FOR UPDATE`) so replicas sharing the database take turns and never fork the chain.
 * `timestamp_utc` is TEXT COLLATE "C" so ISO-8601 strings compare byte by byte, as in SQLite,
 * whatever the database's default collation.
 *
 * The triggers refuse UPDATE, DELETE and TRUNCATE on `audit_events`; a superuser can drop them,
 * which is why the chain and the signed checkpoints exist. Nothing in Bridle ever does.
 */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE audit_events (
        seq BIGINT PRIMARY KEY,
        timestamp_utc TEXT COLLATE "C" NOT NULL,
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
      CREATE TABLE ledger_head (
        id BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL
      );
      INSERT INTO ledger_head (id, seq, hash) VALUES (TRUE, 0, '${GENESIS_HASH}');
      CREATE FUNCTION bridle_audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege'; END
      $$;
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION bridle_audit_events_append_only();
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION bridle_audit_events_append_only();
      CREATE TABLE ledger_checkpoints (
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL,
        signed_at TEXT NOT NULL,
        key_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        PRIMARY KEY (seq, key_id)
      );
      CREATE TABLE ledger_cursors (
        name TEXT PRIMARY KEY,
        seq BIGINT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
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
        seq BIGSERIAL PRIMARY KEY,
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
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/**
 * Applies the missing steps in one transaction under an advisory lock, so replicas that start
 * together migrate once and the others find the work done. DDL is transactional in
 * PostgreSQL: a failed step leaves nothing behind.
 */
export async function migrate(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext('bridle:ledger:migrations'))");
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    const { rows } = await client.query<{ v: number }>(
      "SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations",
    );
    const current = rows[0]?.v ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new BridleError(
        "INTERNAL",
        `the ledger database is at schema ${current}, newer than this Bridle (${SCHEMA_VERSION})`,
      );
    }
    for (const step of MIGRATIONS) {
      if (step.version <= current) continue;
      await client.query(step.sql);
      await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [step.version]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
