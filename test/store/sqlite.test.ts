import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SqliteLedgerStore } from "../../src/store/sqlite/sqlite-ledger-store.js";
import { ledgerStoreSuite } from "./ledger-store.suite.js";

ledgerStoreSuite("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bridle-sqlite-"));
  const path = join(dir, "ledger.db");
  return {
    open: async () => new SqliteLedgerStore(path),
    async sql(text) {
      const db = new Database(path);
      try {
        const stmt = db.prepare(text);
        if (stmt.reader) return stmt.all() as Record<string, unknown>[];
        stmt.run();
        return [];
      } finally {
        db.close();
      }
    },
    dropGuards: ["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"],
    forbidden: [
      "UPDATE audit_events SET event_type = 'policy_decision' WHERE seq = 1",
      "UPDATE audit_events SET hash = hash",
      "DELETE FROM audit_events WHERE seq = 2",
      "DELETE FROM audit_events",
    ],
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe("SQLite ledger file", () => {
  it("creates the database owner-only (0600) in an owner-only folder (0700), in WAL mode", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridle-sqlite-"));
    try {
      const path = join(dir, "nested", ".bridle", "bridle.db");
      const store = new SqliteLedgerStore(path);
      await store.close();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, "nested", ".bridle")).mode & 0o777).toBe(0o700);
      const db = new Database(path, { readonly: true });
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
