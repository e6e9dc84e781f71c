import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditEvent } from "../../src/core/audit/event.js";
import type { LedgerRecord } from "../../src/core/ledger/record.js";
import { encodeEvents } from "../../src/store/event-encoding.js";
import type { EventQuery } from "../../src/store/ledger-store.js";
import { openConnection, openDatabase } from "../../src/store/sqlite/connection.js";
import {
  indexedPart,
  LOOKUP_FIELDS,
  LOOKUP_THROUGH_SQL,
  lookupKey,
  tailPart,
} from "../../src/store/sqlite/lookup-query.js";
import { migrate } from "../../src/store/sqlite/migrations.js";
import { SqliteLedgerStore } from "../../src/store/sqlite/sqlite-ledger-store.js";
import { SqliteWriter } from "../../src/store/sqlite/sqlite-writer.js";
import { matchesQuery } from "../support/memory-ledger-store.js";
import { expectIntactChain, readAll } from "./chain.js";
import { makeEvent } from "./events.js";

/**
 * SQLite indexes trace_id and actor in bulk (migration 4): queries read the lookup up to
 * `through_seq` and walk the rows after it. A small `lookupEvery` puts every query across
 * that boundary; the answers must be exactly those of filtering every record by hand.
 */
const TRACES = ["t1", "t2", "t3"];
const USERS = ["alice@zyxbank.example", "bob@zyxbank.example", null];
const TYPES = ["tool_call", "policy_decision", "approval_requested"] as const;

function eventAt(i: number, trace: number, user: number, type: number): AuditEvent {
  const actor = USERS[user] ? { ...makeEvent().actor!, user: USERS[user]! } : null;
  return makeEvent({
    id: `e${i}`,
    trace_id: TRACES[trace]!,
    actor,
    event_type: TYPES[type]!,
    timestamp_utc: new Date(Date.UTC(2026, 4, 1, 0, 0, i)).toISOString(),
  });
}

/** What `query` must return: the records that pass every filter, oldest first, at most `limit`. */
function expected(all: readonly LedgerRecord[], q: EventQuery): number[] {
  return all
    .filter((r) => matchesQuery(r, q))
    .slice(0, q.limit)
    .map((r) => r.seq);
}

const queries = fc.record(
  {
    trace_id: fc.constantFrom(...TRACES, "t-none"),
    actor: fc.constantFrom(...USERS.filter((u) => u !== null), "nobody@zyxbank.example"),
    event_type: fc.constantFrom(...TYPES),
    since: fc.integer({ min: 0, max: 70 }).map((s) => new Date(Date.UTC(2026, 4, 1, 0, 0, s)).toISOString()),
    after_seq: fc.integer({ min: 0, max: 70 }),
    limit: fc.integer({ min: 1, max: 12 }),
  },
  { requiredKeys: ["limit"] },
);

describe("SQLite bulk lookup for trace_id, actor and event_type", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bridle-lookup-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const writer of ["thread", "inline"] as const) {
    it(`answers every query exactly as a filter over all records would, across the indexed boundary (${writer} writer)`, async () => {
      const store = new SqliteLedgerStore(join(dir, "ledger.db"), { writer, lookupEvery: 7 });
      try {
        const shape = fc.sample(fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2)), { numRuns: 60, seed: 4 });
        // Uneven batches: the lookup catches up inside some appends and not others.
        for (let i = 0; i < shape.length; ) {
          const size = 1 + (i % 5);
          await store.append(shape.slice(i, i + size).map(([t, u, k], j) => eventAt(i + j, t, u, k)));
          i += size;
        }
        const all = await readAll(store);
        const through = lookupThrough(join(dir, "ledger.db"));
        // Some events are indexed and some are not: both parts of each query are exercised.
        expect(through).toBeGreaterThanOrEqual(49);
        expect(through).toBeLessThan(60);
        await fc.assert(
          fc.asyncProperty(queries, async (q) => {
            expect((await store.query(q)).map((r) => r.seq)).toEqual(expected(all, q));
          }),
          { numRuns: 300, seed: 11 },
        );
      } finally {
        await store.close();
      }
    });
  }

  it("reads the lookup and then the unindexed rows by seq, never scanning the table", () => {
    const path = join(dir, "ledger.db");
    new SqliteLedgerStore(path, { writer: "inline" }).close();
    const db = openDatabase(path, { readonly: true });
    try {
      const plan = (s: { sql: string; params: unknown[] }) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...s.params) as { detail: string }[])
          .map((r) => r.detail)
          .join("\n");
      const q: EventQuery = { trace_id: "t1", actor: "a", event_type: "tool_call", since: "2026", limit: 5 };
      const queries: EventQuery[] = [
        q,
        { actor: "a", limit: 5 },
        { event_type: "tool_call", since: "2026", limit: 5 },
      ];
      for (const query of queries) {
        const indexed = plan(indexedPart(query, lookupKey(query)!, 10, 5));
        expect(indexed).toMatch(
          /SEARCH l USING PRIMARY KEY \(field=\? AND value=\? AND last_seq>\? AND last_seq<\?\)/,
        );
        expect(indexed).toMatch(/SEARCH e USING INTEGER PRIMARY KEY \(rowid=\?\)/);
        // The only sort is of one entry's seqs (j.key), never of the whole result.
        expect(indexed).toMatch(/USE TEMP B-TREE FOR LAST TERM OF ORDER BY/);
        expect(indexed).not.toMatch(/SCAN (l|e|audit_events)\b|TEMP B-TREE FOR ORDER BY/);
        const tail = plan(tailPart(query, 10, 5));
        expect(tail).toMatch(/SEARCH audit_events USING INTEGER PRIMARY KEY \(rowid>\?\)/);
        expect(tail).not.toMatch(/TEMP B-TREE|SCAN/);
      }
    } finally {
      db.close();
    }
  });

  it("migration 4 indexes a ledger written before it; new events join the lookup later", async () => {
    const path = join(dir, "ledger.db");
    const before = new SqliteLedgerStore(path, { writer: "inline" });
    await before.append(Array.from({ length: 30 }, (_, i) => eventAt(i, i % 3, i % 3, 0)));
    await before.close();
    downgradeToSchema3(path);

    const store = new SqliteLedgerStore(path, { writer: "inline", lookupEvery: 10 });
    try {
      expect(lookupThrough(path)).toBe(30);
      const seqs = async (q: EventQuery) => (await store.query(q)).map((r) => r.seq);
      expect(await seqs({ trace_id: "t2", limit: 100 })).toEqual([2, 5, 8, 11, 14, 17, 20, 23, 26, 29]);
      expect(await seqs({ actor: "alice@zyxbank.example", after_seq: 20, limit: 100 })).toEqual([22, 25, 28]);
      await store.append(Array.from({ length: 12 }, (_, i) => eventAt(30 + i, 1, 0, 0)));
      expect(lookupThrough(path)).toBe(42);
      expect((await seqs({ trace_id: "t2", limit: 100 })).slice(-3)).toEqual([40, 41, 42]);
    } finally {
      await store.close();
    }
  });

  it("migration 5 moves event_type into the lookup, up to where the lookup had got", async () => {
    const path = join(dir, "ledger.db");
    const before = new SqliteLedgerStore(path, { writer: "inline", lookupEvery: 10 });
    for (let i = 0; i < 25; i += 5) {
      await before.append(Array.from({ length: 5 }, (_, j) => eventAt(i + j, 0, 0, (i + j) % 3)));
    }
    await before.close();
    downgradeToSchema4(path);
    expect(lookupThrough(path)).toBe(20);

    const store = new SqliteLedgerStore(path, { writer: "inline", lookupEvery: 10 });
    try {
      expectLookupMatchesRows(path);
      const seqs = async (q: EventQuery) => (await store.query(q)).map((r) => r.seq);
      expect(await seqs({ event_type: "approval_requested", limit: 100 })).toEqual([
        3, 6, 9, 12, 15, 18, 21, 24,
      ]);
      await store.append(Array.from({ length: 6 }, (_, i) => eventAt(25 + i, 0, 0, 2)));
      expect(lookupThrough(path)).toBe(31);
      expectLookupMatchesRows(path);
      expect(await seqs({ event_type: "approval_requested", after_seq: 20, limit: 100 })).toEqual([
        21, 24, 26, 27, 28, 29, 30, 31,
      ]);
    } finally {
      await store.close();
    }
  });

  it("keeps the lookup exact across a restart in the middle of a window", async () => {
    const path = join(dir, "ledger.db");
    const first = new SqliteLedgerStore(path, { lookupEvery: 10 });
    await first.append(Array.from({ length: 7 }, (_, i) => eventAt(i, i % 3, i % 3, 0)));
    await first.close();
    // The new writer has no window in memory: it must rebuild it from rows 1..7.
    const second = new SqliteLedgerStore(path, { lookupEvery: 10 });
    try {
      await second.append(Array.from({ length: 6 }, (_, i) => eventAt(7 + i, (7 + i) % 3, i % 3, 0)));
      expect(lookupThrough(path)).toBe(13);
      expectLookupMatchesRows(path);
    } finally {
      await second.close();
    }
  });

  it("keeps the lookup exact when two writers take turns on one file", async () => {
    const path = join(dir, "ledger.db");
    const a = new SqliteLedgerStore(path, { writer: "inline", lookupEvery: 8 });
    const b = new SqliteLedgerStore(path, { writer: "inline", lookupEvery: 8 });
    try {
      for (let i = 0; i < 40; i += 3) {
        const store = (i / 3) % 2 === 0 ? a : b;
        await store.append([0, 1, 2].map((j) => eventAt(i + j, (i + j) % 3, (i / 3) % 3, 0)));
      }
      expect(lookupThrough(path)).toBeGreaterThanOrEqual(32);
      expectLookupMatchesRows(path);
      expectIntactChain(await readAll(a));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("forgets the values of a failed append even when another writer fills the same seqs", () => {
    const path = join(dir, "ledger.db");
    const open = () => {
      const db = openConnection(path);
      migrate(db, () => new Date());
      return { db, writer: new SqliteWriter(db, { lookupEvery: 10 }) };
    };
    const one = open();
    const two = open();
    const append = (w: SqliteWriter, from: number, trace: number) =>
      w.append(encodeEvents([0, 1, 2].map((j) => eventAt(from + j, trace, 0, 0))));
    try {
      append(one.writer, 0, 0);
      // Only this connection refuses the third event: the first two were inserted, then rolled back.
      one.db.exec(
        "CREATE TEMP TRIGGER poison BEFORE INSERT ON audit_events WHEN NEW.seq = 6 BEGIN SELECT RAISE(ABORT, 'poisoned'); END",
      );
      expect(() => append(one.writer, 3, 1)).toThrow(/poisoned/);
      one.db.exec("DROP TRIGGER poison");
      // Seqs 4..6 now hold trace t3, written by the other connection: the head is where the
      // failed append would have left it.
      append(two.writer, 3, 2);
      append(one.writer, 6, 0);
      append(one.writer, 9, 0);
      expect(lookupThrough(path)).toBe(12);
      expectLookupMatchesRows(path);
    } finally {
      one.db.close();
      two.db.close();
    }
  });
});

/** Every lookup entry up to through_seq names exactly the rows that hold its value, once each. */
function expectLookupMatchesRows(path: string): void {
  const db = openDatabase(path, { readonly: true });
  try {
    const through = db.prepare(LOOKUP_THROUGH_SQL).pluck().get() as number;
    for (const { field, column } of LOOKUP_FIELDS) {
      const listed = db
        .prepare(
          `SELECT l.value, j.value AS seq FROM audit_lookup l, json_each(l.seqs) j
           WHERE l.field = ? AND l.last_seq <= ? ORDER BY seq`,
        )
        .all(field, through);
      const rows = db
        .prepare(
          `SELECT ${column} AS value, seq FROM audit_events WHERE seq <= ? AND ${column} IS NOT NULL ORDER BY seq`,
        )
        .all(through);
      expect(listed).toEqual(rows);
    }
    const pending = db.prepare("SELECT COUNT(*) FROM audit_lookup WHERE last_seq > ?").pluck();
    expect(pending.get(through)).toBe(0);
  } finally {
    db.close();
  }
}

function lookupThrough(path: string): number {
  const db = openDatabase(path, { readonly: true });
  try {
    return db.prepare(LOOKUP_THROUGH_SQL).pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Puts a database back where Bridle left it before migration 5: event_type indexed row by row. */
function downgradeToSchema4(path: string): void {
  const db = openDatabase(path);
  try {
    db.exec(`
      DELETE FROM audit_lookup WHERE field = 3;
      CREATE INDEX audit_events_event_type ON audit_events (event_type, seq);
      DELETE FROM schema_migrations WHERE version = 5;
    `);
  } finally {
    db.close();
  }
}

/** Puts a database back where Bridle left it before migration 4: per-row indexes, no lookup. */
function downgradeToSchema3(path: string): void {
  downgradeToSchema4(path);
  const db = openDatabase(path);
  try {
    db.exec(`
      DROP TABLE audit_lookup;
      DROP TABLE audit_lookup_progress;
      CREATE INDEX audit_events_trace_id ON audit_events (trace_id, seq);
      CREATE INDEX audit_events_actor_user ON audit_events (actor_user, seq);
      DELETE FROM schema_migrations WHERE version = 4;
    `);
  } finally {
    db.close();
  }
}
