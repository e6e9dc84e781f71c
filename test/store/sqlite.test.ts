import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { LedgerSink } from "../../src/store/ledger-sink.js";
import { openDatabase } from "../../src/store/sqlite/connection.js";
import { SCHEMA_VERSION } from "../../src/store/sqlite/migrations.js";
import { SqliteLedgerStore } from "../../src/store/sqlite/sqlite-ledger-store.js";
import { callHistorySuite } from "./call-history.suite.js";
import { expectIntactChain, idsOf, readAll } from "./chain.js";
import { makeEvent } from "./events.js";
import { ledgerStoreSuite } from "./ledger-store.suite.js";

const run = promisify(execFile);

for (const writer of ["thread", "inline"] as const) {
  ledgerStoreSuite(`SQLite, ${writer} writer`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridle-sqlite-"));
    const path = join(dir, "ledger.db");
    return {
      open: async () => new SqliteLedgerStore(path, { writer }),
      sql: (text) => rawSql(path, text),
      schemaVersion: SCHEMA_VERSION,
      dropGuards: ["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"],
      forbidden: [
        "UPDATE audit_events SET event_type = 'policy_decision' WHERE seq = 1",
        "UPDATE audit_events SET hash = hash",
        "DELETE FROM audit_events WHERE seq = 2",
        "DELETE FROM audit_events",
      ],
      poison: [
        `CREATE TRIGGER poison BEFORE INSERT ON audit_events WHEN NEW.record LIKE '%poisoned%'
         BEGIN SELECT RAISE(ABORT, 'poisoned'); END`,
      ],
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  });
}

async function rawSql(path: string, text: string): Promise<Record<string, unknown>[]> {
  const db = openDatabase(path);
  try {
    const stmt = db.prepare(text);
    if (stmt.reader) return stmt.all() as Record<string, unknown>[];
    stmt.run();
    return [];
  } finally {
    db.close();
  }
}

describe("SQLite writer thread", () => {
  it("reports a failed commit, stores nothing of it, and keeps serving", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridle-sqlite-"));
    const path = join(dir, "ledger.db");
    const store = new SqliteLedgerStore(path);
    try {
      await store.append([makeEvent({ id: "first" })]);
      // A constraint the writer does not expect: every insert of this batch now fails.
      await rawSql(
        path,
        "CREATE TRIGGER refuse BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'refused'); END",
      );
      await expect(store.append([makeEvent({ id: "x" }), makeEvent({ id: "y" })])).rejects.toThrow(/refused/);
      await rawSql(path, "DROP TRIGGER refuse");
      const [next] = await store.append([makeEvent({ id: "after" })]);
      expect(next!.seq).toBe(2);
      expect((await store.readRange(1, 10)).map((r) => r.data.id)).toEqual(["first", "after"]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("two stores on one file (as two processes) chain after each other, each sealing after the head it finds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridle-sqlite-"));
    const path = join(dir, "ledger.db");
    const stores = [new SqliteLedgerStore(path), new SqliteLedgerStore(path)];
    const sinks = stores.map((store) => new LedgerSink(store, { maxBatch: 7 }));
    try {
      // Each store's writer seals under the write lock, after whatever the other one committed.
      const acked = await Promise.all(
        Array.from({ length: 300 }, (_, i) => sinks[i % 2]!.appendRecord(makeEvent({ id: `e${i}` }))),
      );
      const stored = await readAll(stores[0]!);
      expect(stored).toHaveLength(300);
      expectIntactChain(stored);
      expect(idsOf(stored).size).toBe(300);
      // What each caller was told is exactly what is stored at that seq.
      for (const record of acked) expect(stored[record.seq - 1]).toEqual(record);
    } finally {
      for (const sink of sinks) await sink.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("closes once when asked twice, and refuses writes after close", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridle-sqlite-"));
    const store = new SqliteLedgerStore(join(dir, "ledger.db"));
    await store.append([makeEvent()]);
    await Promise.all([store.close(), store.close()]);
    await expect(store.append([makeEvent()])).rejects.toThrow();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const closes of [false, true]) {
    it(`lets a process end by itself, ${closes ? "after closing the store" : "even if it never closes the store"} (a CLI)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "bridle-sqlite-"));
      const script = [
        `import { SqliteLedgerStore } from ${JSON.stringify(resolve("src/store/sqlite/sqlite-ledger-store.ts"))};`,
        `const store = new SqliteLedgerStore(${JSON.stringify(join(dir, "ledger.db"))});`,
        `const [record] = await store.append([${JSON.stringify(makeEvent())}]);`,
        `console.log("seq " + record.seq);`,
        ...(closes ? ["await store.close();", `console.log("closed");`] : []),
      ].join("\n");
      const tsx = pathToFileURL(resolve("node_modules/tsx/dist/esm/index.mjs")).href;
      // Rejects on a non-zero exit: 13 is Node's "top-level await never settled".
      const { stdout } = await run(process.execPath, ["--import", tsx, "--input-type=module", "-e", script], {
        timeout: 20_000,
      });
      expect(stdout.trim()).toBe(closes ? "seq 1\nclosed" : "seq 1");
      rmSync(dir, { recursive: true, force: true });
    });
  }

  it("survives garbage collection of dropped connections and statements (Node 24.19+ aborted here)", async () => {
    // Closed connections and one-off statements, then a hot allocating loop: its garbage
    // collections start from optimized code, with no V8 context entered. A better-sqlite3 object
    // freed by one of them aborted the process (node::RemoveEnvironmentCleanupHook).
    const script = [
      `import { openConnection } from ${JSON.stringify(resolve("src/store/sqlite/connection.ts"))};`,
      "const alloc = (n) => { let a; for (let i = 0; i < n; i++) a = { i }; return a; };",
      "for (let k = 0; k < 100; k++) {",
      `  const db = openConnection(":memory:");`,
      `  db.prepare("SELECT 1 AS v").get();`,
      "  db.close();",
      "  alloc(200000);",
      "}",
      `console.log("ok");`,
    ].join("\n");
    const tsx = pathToFileURL(resolve("node_modules/tsx/dist/esm/index.mjs")).href;
    const { stdout } = await run(process.execPath, ["--import", tsx, "--input-type=module", "-e", script], {
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe("ok");
  });
});

describe("SQLite ledger file", () => {
  it("creates the database owner-only (0600) in an owner-only folder (0700), in WAL mode, 32 KiB pages", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridle-sqlite-"));
    try {
      const path = join(dir, "nested", ".bridle", "bridle.db");
      const store = new SqliteLedgerStore(path);
      await store.close();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, "nested", ".bridle")).mode & 0o777).toBe(0o700);
      const db = openDatabase(path, { readonly: true });
      expect(db.prepare("PRAGMA journal_mode").pluck().get()).toBe("wal");
      expect(db.prepare("PRAGMA page_size").pluck().get()).toBe(32768);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

callHistorySuite("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bridle-sqlite-"));
  const path = join(dir, "ledger.db");
  return {
    open: async () => new SqliteLedgerStore(path),
    plan: async (sql) => {
      const db = openDatabase(path, { readonly: true });
      try {
        const unbound = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map((m) => [m[1], null]));
        const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(unbound) as { detail: string }[];
        return rows.map((r) => r.detail);
      } finally {
        db.close();
      }
    },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
