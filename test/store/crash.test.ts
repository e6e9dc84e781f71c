import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LedgerStore } from "../../src/store/ledger-store.js";
import { openLedgerStore } from "../../src/store/open-store.js";
import { startPostgres } from "../support/postgres.js";
import { expectIntactChain, idsOf, readAll } from "./chain.js";
import { startWriter } from "./writer-process.js";

/**
 * kill -9 under load, three times over on the same ledger: each round a fresh writer process
 * appends from 64 concurrent loops and is killed once it has acknowledged 1,500 events. Then
 * the ledger must hold one intact chain and every event any round acknowledged.
 */
async function crashRounds(url: string): Promise<void> {
  const acked: string[] = [];
  for (let round = 0; round < 3; round++) {
    const writer = startWriter(url, `round${round}`, 0, 64);
    await writer.ready;
    writer.go();
    await writer.acks(1500);
    writer.child.kill("SIGKILL");
    expect(await writer.exited).toBe("SIGKILL");
    acked.push(...writer.acked);
  }
  const store: LedgerStore = await openLedgerStore(url, process.cwd());
  try {
    const records = await readAll(store);
    expectIntactChain(records);
    const stored = idsOf(records);
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    expect(records.length).toBeGreaterThanOrEqual(acked.length);
    // The rounds really overlapped the chain: every round wrote, and later rounds chained on.
    for (let round = 0; round < 3; round++)
      expect(acked.some((id) => id.startsWith(`round${round}-`))).toBe(true);
  } finally {
    await store.close();
  }
}

describe("crash safety: SIGKILL under concurrent load", () => {
  it("SQLite keeps every acknowledged event and an intact chain", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridle-crash-"));
    try {
      await crashRounds(`sqlite:${join(dir, "ledger.db")}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

const cluster = await startPostgres();
if ("skip" in cluster) console.warn(`SKIPPING PostgreSQL crash test: ${cluster.skip}`);
afterAll(async () => {
  if (!("skip" in cluster)) await cluster.stop();
});

describe.skipIf("skip" in cluster)("crash safety on PostgreSQL", () => {
  it("PostgreSQL keeps every acknowledged event and an intact chain", async () => {
    if ("skip" in cluster) throw new Error("unreachable: skipped without a cluster");
    await crashRounds(await cluster.createDatabase());
  }, 120_000);
});
