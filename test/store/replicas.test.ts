import { afterAll, describe, expect, it } from "vitest";
import { PostgresLedgerStore } from "../../src/store/postgres/postgres-ledger-store.js";
import { startPostgres } from "../support/postgres.js";
import { expectIntactChain, idsOf, readAll } from "./chain.js";
import { startWriter } from "./writer-process.js";

const cluster = await startPostgres();
if ("skip" in cluster) console.warn(`SKIPPING PostgreSQL replica test: ${cluster.skip}`);
afterAll(async () => {
  if (!("skip" in cluster)) await cluster.stop();
});

const REPLICAS = 3;
const PER_REPLICA = 2000;

describe.skipIf("skip" in cluster)("replicas sharing one PostgreSQL ledger", () => {
  it("three processes appending at once form one chain with no fork, gap or loss", async () => {
    if ("skip" in cluster) throw new Error("unreachable: skipped without a cluster");
    const url = await cluster.createDatabase();
    const writers = Array.from({ length: REPLICAS }, (_, i) =>
      startWriter(url, `replica${i}`, PER_REPLICA, 100),
    );
    await Promise.all(writers.map((w) => w.ready));
    for (const w of writers) w.go();
    expect(await Promise.all(writers.map((w) => w.exited))).toEqual([0, 0, 0]);

    const store = await PostgresLedgerStore.open(url);
    const records = await readAll(store);
    await store.close();
    expect(records).toHaveLength(REPLICAS * PER_REPLICA);
    expectIntactChain(records);
    const stored = idsOf(records);
    const acked = writers.flatMap((w) => w.acked);
    expect(new Set(acked).size).toBe(REPLICAS * PER_REPLICA);
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    // The replicas really interleaved on the chain rather than taking turns for the whole run.
    let switches = 0;
    for (let i = 1; i < records.length; i++)
      if (records[i]!.trace_id !== records[i - 1]!.trace_id) switches++;
    expect(switches).toBeGreaterThan(10);
  }, 120_000);
});
