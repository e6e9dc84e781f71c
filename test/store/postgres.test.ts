import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { positional } from "../../src/store/call-history-store.js";
import { openLedgerStore } from "../../src/store/open-store.js";
import { SCHEMA_VERSION } from "../../src/store/postgres/migrations.js";
import { PostgresLedgerStore } from "../../src/store/postgres/postgres-ledger-store.js";
import { type PostgresCluster, startPostgres } from "../support/postgres.js";
import { callHistorySuite } from "./call-history.suite.js";
import { makeEvent } from "./events.js";
import { ledgerStoreSuite } from "./ledger-store.suite.js";

const cluster = await startPostgres();
if ("skip" in cluster) console.warn(`SKIPPING PostgreSQL ledger tests: ${cluster.skip}`);
afterAll(async () => {
  if (!("skip" in cluster)) await cluster.stop();
});

async function rawSql(url: string, text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/** The running cluster; only touched inside tests, which are skipped when there is none. */
const running = () => cluster as PostgresCluster;

describe.skipIf("skip" in cluster)("PostgreSQL", () => {
  ledgerStoreSuite("PostgreSQL", async () => {
    const url = await running().createDatabase();
    return {
      open: () => PostgresLedgerStore.open(url),
      sql: (text) => rawSql(url, text),
      schemaVersion: SCHEMA_VERSION,
      dropGuards: ["DROP TRIGGER audit_events_no_update_delete ON audit_events"],
      forbidden: [
        "UPDATE audit_events SET event_type = 'policy_decision' WHERE seq = 1",
        "UPDATE audit_events SET hash = hash",
        "DELETE FROM audit_events WHERE seq = 2",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
      ],
      poison: [
        `CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.record LIKE '%poisoned%' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$`,
        "CREATE TRIGGER poison BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION poison()",
      ],
      dispose: async () => undefined,
    };
  });

  it("openLedgerStore accepts postgres:// and postgresql:// URLs", async () => {
    const url = await running().createDatabase();
    for (const u of [url, url.replace(/^postgresql:/, "postgres:")]) {
      const store = await openLedgerStore(u, "/nonexistent");
      expect(store.kind).toBe("postgres");
      await store.close();
    }
  });

  it("lets an auditor check every record's hash in SQL alone", async () => {
    const url = await running().createDatabase();
    const store = await PostgresLedgerStore.open(url);
    await store.append(
      Array.from({ length: 20 }, (_, i) => makeEvent({ id: `e${i}`, data: { text: 'é 🦊 "q"' } })),
    );
    await store.close();
    const check = `SELECT count(*)::int AS bad FROM audit_events
      WHERE encode(sha256(convert_to(record, 'UTF8')), 'hex') <> hash`;
    expect(await rawSql(url, check)).toEqual([{ bad: 0 }]);
  });

  it("keeps ledger_head in step with the last record", async () => {
    const url = await running().createDatabase();
    const store = await PostgresLedgerStore.open(url);
    const records = await store.append([makeEvent(), makeEvent(), makeEvent()]);
    expect(await rawSql(url, "SELECT seq::int AS seq, hash FROM ledger_head")).toEqual([
      { seq: 3, hash: records[2]!.hash },
    ]);
    await store.close();
  });
});

describe.skipIf("skip" in cluster)("PostgreSQL call history", () => {
  callHistorySuite("PostgreSQL", async () => {
    const url = await running().createDatabase();
    return {
      open: () => PostgresLedgerStore.open(url),
      plan: (sql) => genericPlan(url, sql),
      dispose: async () => undefined,
    };
  });
});

/**
 * The generic plan (parameters unknown) with sequential scans priced out: a query that has no
 * index path still shows its Seq Scan, one that has shows the index.
 */
async function genericPlan(url: string, sql: string): Promise<string[]> {
  const { text, values } = positional(sql, {});
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET enable_seqscan = off");
    await client.query("SET plan_cache_mode = force_generic_plan");
    await client.query(`PREPARE q AS ${text}`);
    const args = values.map(() => "NULL").join(", ");
    const { rows } = await client.query<{ "QUERY PLAN": string }>(
      `EXPLAIN EXECUTE q${args ? `(${args})` : ""}`,
    );
    return rows.map((r) => r["QUERY PLAN"]);
  } finally {
    await client.end();
  }
}
