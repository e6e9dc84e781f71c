import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteLedgerStore } from "../../src/store/sqlite/sqlite-ledger-store.js";
import { expectIntactChain, readAll } from "./chain.js";
import { makeEvent } from "./events.js";

/**
 * With a writer thread, a checkpoint thread copies committed WAL pages into the database file
 * as they come, instead of leaving all of it to the writer's auto-checkpoint (every 1,000
 * pages, 32 MB). Below that mark only the checkpoint thread can have copied anything.
 */
describe("SQLite WAL checkpoints off the writer's path", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bridle-checkpoint-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("copies committed pages into the database file before the writer's auto-checkpoint would", async () => {
    const path = join(dir, "ledger.db");
    const store = new SqliteLedgerStore(path);
    try {
      for (let b = 0; b < 10; b++) {
        await store.append(Array.from({ length: 1000 }, (_, i) => makeEvent({ id: `e${b}-${i}` })));
      }
      // About 11 MB appended: a third of the auto-checkpoint's mark.
      expect(statSync(`${path}-wal`).size).toBeLessThan(32 * 2 ** 20);
      const deadline = Date.now() + 10_000;
      while (statSync(path).size < 8 * 2 ** 20 && Date.now() < deadline) await sleep(50);
      expect(statSync(path).size).toBeGreaterThan(8 * 2 ** 20);
      const records = await readAll(store);
      expect(records).toHaveLength(10_000);
      expectIntactChain(records);
    } finally {
      await store.close();
    }
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
