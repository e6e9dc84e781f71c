import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canonicalJson, GENESIS_HASH, type LedgerRecord, recordHash } from "../../src/core/ledger/record.js";
import { sha256Hex } from "../../src/core/ledger/sha256.js";
import { LedgerSink } from "../../src/store/ledger-sink.js";
import type { Checkpoint, LedgerStore } from "../../src/store/ledger-store.js";
import { expectIntactChain, firstBreak, idsOf, readAll } from "./chain.js";
import { makeEvent } from "./events.js";

/**
 * One fresh, empty database per test, reached two ways: through the adapter under test, and
 * with raw SQL through the database's own client (to look underneath the store, and to play an
 * attacker who has write access to the database).
 */
export interface StoreFixture {
  /** A store on this fixture's database; call again to "restart" on the same data. */
  open(): Promise<LedgerStore>;
  /** Raw SQL, bypassing the store. Returns the rows of the last statement. */
  sql(text: string): Promise<Record<string, unknown>[]>;
  /** SQL that removes the append-only guards, as an attacker with DB access would. */
  dropGuards: string[];
  /** The adapter's newest migration: the database must have every step up to it, once. */
  schemaVersion: number;
  /** Statements the append-only guards must refuse. */
  forbidden: string[];
  /** SQL, one statement per string, after which the database refuses to insert a record containing "poisoned". */
  poison: string[];
  dispose(): Promise<void>;
}

/** Registers the LedgerStore behaviour every adapter must have. */
export function ledgerStoreSuite(name: string, newFixture: () => Promise<StoreFixture>): void {
  describe(`LedgerStore behaviour: ${name}`, () => {
    let fixture: StoreFixture;
    let store: LedgerStore;
    const opened: LedgerStore[] = [];
    const open = async () => {
      const s = await fixture.open();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      fixture = await newFixture();
      store = await open();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await fixture.dispose();
    });

    it("an empty ledger has no head and no records", async () => {
      expect(await store.head()).toBeNull();
      expect(await store.readRange(1, 10)).toEqual([]);
      expect(await store.query({ limit: 10 })).toEqual([]);
      expect(await store.append([])).toEqual([]);
      expect(await store.head()).toBeNull();
    });

    it("assigns gap-free seq from 1 and chains every record to the one before", async () => {
      const returned: LedgerRecord[] = [];
      for (const size of [3, 1, 2]) {
        returned.push(
          ...(await store.append(Array.from({ length: size }, (_, i) => makeEvent({ id: `e${i}` })))),
        );
      }
      expect(returned.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(returned[0]!.prev_hash).toBe(GENESIS_HASH);
      expectIntactChain(returned);
      expect(await readAll(store)).toEqual(returned);
      expect(await store.head()).toEqual({ seq: 6, hash: returned[5]!.hash });
    });

    it("gives back exactly what was hashed, whatever the content", async () => {
      const odd = makeEvent({
        data: {
          text: 'quotes " backslash \\ newline \n tab \t nul \u0000 emoji 🦊 accents é ñ 中文 \u2028',
          numbers: [0, -0, 1e21, 1e-7, 0.1, -123.456, 2 ** 53 - 1],
          keys: { "10": "a", "9": "b", b: 1, a: 2, "": 3, é: 4, Z: 5 },
          nested: [[], {}, [null, true, false], { deep: { deeper: ["x"] } }],
        },
        validation: { findings: [], passed: true },
      });
      const [record] = await store.append([odd]);
      const [stored] = await store.readRange(1, 1);
      // JSON has no -0: the stored record holds 0, which hashes the same.
      expect(stored).toEqual(JSON.parse(JSON.stringify(record)));
      const { hash, ...unhashed } = stored!;
      expect(recordHash(unhashed)).toBe(hash);
      expect(stored!.data.text).toBe(odd.data.text);
      // The row holds the hashed bytes themselves: anyone with SQL access can check them.
      const [row] = await fixture.sql("SELECT record, hash FROM audit_events WHERE seq = 1");
      expect(sha256Hex(String(row!.record))).toBe(row!.hash);
    });

    it("stores an event whose indexed fields hold NUL or a lone surrogate, keeping the exact record", async () => {
      const strange = `t\u0000x\ud800`;
      const actor = { ...makeEvent().actor!, user: `u\u0000@zyxbank.example` };
      const [record] = await store.append([makeEvent({ id: "strange", trace_id: strange, actor })]);
      const [stored] = await store.readRange(1, 1);
      expect(stored).toEqual(record);
      expect(stored!.trace_id).toBe(strange);
      expect(firstBreak([stored!])).toBeNull();
      // The lookup columns hold U+FFFD in place of what the database cannot store.
      expect((await store.query({ trace_id: "t\ufffdx\ufffd", limit: 5 })).map((r) => r.seq)).toEqual([1]);
      expect((await store.query({ actor: "u\ufffd@zyxbank.example", limit: 5 })).map((r) => r.seq)).toEqual([
        1,
      ]);
    });

    it("reads rows as stored: the exact bytes each hash is the SHA-256 of", async () => {
      const records = await store.append(
        Array.from({ length: 5 }, (_, i) => makeEvent({ id: `e${i}`, data: { text: `ü ${i} 🦊` } })),
      );
      const stored = await store.readStoredRange(2, 3);
      expect(stored.map((r) => r.hash)).toEqual(records.slice(1, 4).map((r) => r.hash));
      for (const [i, row] of stored.entries()) {
        expect(sha256Hex(row.record)).toBe(row.hash);
        const { hash, ...unhashed } = records[i + 1]!;
        expect(Buffer.from(row.record).toString("utf8")).toBe(canonicalJson(unhashed));
      }
      expect(await store.readStoredRange(6, 10)).toEqual([]);
      expect(await store.readStoredRange(1, 0)).toEqual([]);
    });

    it("reads a window of records in seq order", async () => {
      await store.append(Array.from({ length: 10 }, (_, i) => makeEvent({ id: `e${i + 1}` })));
      expect((await store.readRange(3, 4)).map((r) => r.seq)).toEqual([3, 4, 5, 6]);
      expect((await store.readRange(9, 10)).map((r) => r.data.id)).toEqual(["e9", "e10"]);
      expect(await store.readRange(11, 5)).toEqual([]);
      expect(await store.readRange(1, 0)).toEqual([]);
    });

    it("queries by trace_id, actor, event_type, since and after_seq, oldest first", async () => {
      const alice = makeEvent().actor!;
      const bob = { ...alice, user: "bob@zyxbank.example" };
      await store.append([
        makeEvent({ id: "a", trace_id: "t1", actor: alice, timestamp_utc: "2026-05-01T09:00:00.000Z" }),
        makeEvent({ id: "b", trace_id: "t2", actor: bob, timestamp_utc: "2026-05-01T10:00:00.000Z" }),
        makeEvent({
          id: "c",
          trace_id: "t1",
          actor: bob,
          event_type: "policy_decision",
          timestamp_utc: "2026-05-02T00:00:00.000Z",
        }),
        makeEvent({
          id: "d",
          trace_id: "t3",
          actor: null,
          event_type: "policy_reloaded",
          timestamp_utc: "2026-05-03T00:00:00.000Z",
        }),
      ]);
      const ids = async (q: Parameters<LedgerStore["query"]>[0]) =>
        (await store.query(q)).map((r) => r.data.id);
      expect(await ids({ trace_id: "t1", limit: 10 })).toEqual(["a", "c"]);
      expect(await ids({ actor: "bob@zyxbank.example", limit: 10 })).toEqual(["b", "c"]);
      expect(await ids({ event_type: "policy_decision", limit: 10 })).toEqual(["c"]);
      expect(await ids({ since: "2026-05-01T10:00:00.000Z", limit: 10 })).toEqual(["b", "c", "d"]);
      expect(await ids({ since: "2026-05-02", limit: 10 })).toEqual(["c", "d"]);
      expect(await ids({ after_seq: 2, limit: 10 })).toEqual(["c", "d"]);
      expect(await ids({ trace_id: "t1", actor: "bob@zyxbank.example", limit: 10 })).toEqual(["c"]);
      expect(await ids({ limit: 2 })).toEqual(["a", "b"]);
      expect(await ids({ trace_id: "nope", limit: 10 })).toEqual([]);
      expect(await ids({ limit: 0 })).toEqual([]);
    });

    it("caps a query page at 1,000 records and pages on after_seq", async () => {
      await store.append(Array.from({ length: 1100 }, (_, i) => makeEvent({ id: `e${i + 1}` })));
      const first = await store.query({ limit: 1_000_000 });
      expect(first).toHaveLength(1000);
      expect(first.at(-1)!.seq).toBe(1000);
      const rest = await store.query({ after_seq: first.at(-1)!.seq, limit: 1_000_000 });
      expect(rest.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 1001 + i));
    });

    it("keeps checkpoints across a restart, each (seq, key) once", async () => {
      const [r1, r2] = await store.append([makeEvent(), makeEvent()]);
      const cp = (r: LedgerRecord, key: string): Checkpoint => ({
        seq: r.seq,
        hash: r.hash,
        signed_at: "2026-05-01T10:00:00.000Z",
        key_id: key,
        signature: `sig-${r.seq}-${key}`,
      });
      await store.saveCheckpoint(cp(r2!, "k1"));
      await store.saveCheckpoint(cp(r1!, "k1"));
      await store.saveCheckpoint(cp(r2!, "k1"));
      await store.saveCheckpoint(cp(r2!, "k2"));
      await store.close();
      const reopened = await open();
      expect(await reopened.checkpoints()).toEqual([cp(r1!, "k1"), cp(r2!, "k1"), cp(r2!, "k2")]);
    });

    it("keeps named cursors across a restart", async () => {
      expect(await store.getCursor("siem")).toBe(0);
      await store.setCursor("siem", 41);
      await store.setCursor("siem", 42);
      await store.setCursor("other", 7);
      await store.close();
      const reopened = await open();
      expect(await reopened.getCursor("siem")).toBe(42);
      expect(await reopened.getCursor("other")).toBe(7);
      expect(await reopened.getCursor("unknown")).toBe(0);
    });

    it("continues the same chain after a restart and migrates only once", async () => {
      await store.append([makeEvent({ id: "before" })]);
      await store.close();
      const [again, alsoAgain] = await Promise.all([open(), open()]);
      await again!.append([makeEvent({ id: "after-1" })]);
      await alsoAgain!.append([makeEvent({ id: "after-2" })]);
      const records = await readAll(again!);
      expect(records.map((r) => r.data.id)).toEqual(["before", "after-1", "after-2"]);
      expectIntactChain(records);
      expect(await fixture.sql("SELECT version FROM schema_migrations ORDER BY version")).toEqual(
        Array.from({ length: fixture.schemaVersion }, (_, i) => ({ version: i + 1 })),
      );
    });

    it("50 concurrent appenders through one LedgerSink share commits and form one gap-free chain", async () => {
      let commits = 0;
      const sink = new LedgerSink(store, { onCommitted: () => void commits++ });
      const writers = Array.from({ length: 50 }, async (_, w) => {
        for (let i = 0; i < 20; i++) await sink.append(makeEvent({ id: `w${w}-${i}` }));
      });
      await Promise.all(writers);
      await sink.flush();
      const records = await readAll(store);
      expect(records).toHaveLength(1000);
      expectIntactChain(records);
      expect(idsOf(records).size).toBe(1000);
      expect(commits).toBeLessThan(100);
    });

    it("a failed commit rejects every event of its batch and stores none of them", async () => {
      for (const statement of fixture.poison) await fixture.sql(statement);
      const sink = new LedgerSink(store);
      const batch = [makeEvent({ id: "ok-1" }), makeEvent({ id: "ok-2" }), makeEvent({ id: "poisoned" })];
      const results = await Promise.allSettled(batch.map((e) => sink.appendRecord(e)));
      expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
      for (const r of results) expect(String((r as PromiseRejectedResult).reason)).toMatch(/poisoned/);
      expect(await store.head()).toBeNull();
      const next = await sink.appendRecord(makeEvent({ id: "later" }));
      expect(next.seq).toBe(1);
    });

    it("the database itself refuses UPDATE and DELETE on audit_events", async () => {
      await store.append([makeEvent({ id: "x" }), makeEvent({ id: "y" })]);
      const before = await readAll(store);
      for (const statement of fixture.forbidden) {
        await expect(fixture.sql(statement), statement).rejects.toThrow(/append-only/);
      }
      expect(await readAll(store)).toEqual(before);
    });

    it("an edit that bypasses the guards shows: the stored record no longer matches its hash", async () => {
      await store.append([makeEvent({ id: "x" }), makeEvent({ id: "y" }), makeEvent({ id: "z" })]);
      for (const statement of fixture.dropGuards) await fixture.sql(statement);
      await fixture.sql(
        "UPDATE audit_events SET record = replace(record, 'CHG-18422', 'CHG-99999') WHERE seq = 2",
      );
      const records = await readAll(store);
      expect(records[1]!.data.ticket).toBe("CHG-99999");
      expect(firstBreak(records)).toBe("seq 2: hash does not recompute");
    });

    describe("delegations (identity store on the same database)", () => {
      const scope = { tools: ["jira_read"], workflows: ["change_review"], accounts: [] };
      const delegation = (id: string, parent: string | null, agent: string) => ({
        id,
        parent_id: parent,
        subject: "dev@zyx.example",
        agent,
        chain: parent ? ["spiffe://zyx.example/a", agent] : [agent],
        scope,
        purpose: "review CHG-1",
        issued_at: `2026-01-01T00:00:0${id.length}.000Z`,
        expires_at: "2026-01-01T01:00:00.000Z",
      });

      it("saves, reads back and lists delegations, newest first", async () => {
        const ids = store.identities();
        await ids.saveDelegation(delegation("root", null, "spiffe://zyx.example/a"));
        await ids.saveDelegation(delegation("child1", "root", "oauth-client:b"));
        expect(await ids.getDelegation("child1")).toMatchObject({
          parent_id: "root",
          chain: ["spiffe://zyx.example/a", "oauth-client:b"],
          scope,
          revoked_at: null,
          last_used_at: null,
          uses: 0,
        });
        expect(await ids.getDelegation("nope")).toBeNull();
        expect((await ids.listDelegations(10)).map((d) => d.id)).toEqual(["child1", "root"]);
        expect((await ids.listDelegations(1)).map((d) => d.id)).toEqual(["child1"]);
      });

      it("counts uses and never moves last use backwards", async () => {
        const ids = store.identities();
        await ids.saveDelegation(delegation("root", null, "spiffe://zyx.example/a"));
        await ids.recordUse("root", "2026-01-01T00:10:00.000Z");
        await ids.recordUse("root", "2026-01-01T00:05:00.000Z");
        expect(await ids.getDelegation("root")).toMatchObject({
          uses: 2,
          last_used_at: "2026-01-01T00:10:00.000Z",
        });
      });

      it("revokes a delegation with everything issued under it, once, and survives a restart", async () => {
        const ids = store.identities();
        await ids.saveDelegation(delegation("root", null, "spiffe://zyx.example/a"));
        await ids.saveDelegation(delegation("child1", "root", "oauth-client:b"));
        await ids.saveDelegation(delegation("grandchild", "child1", "oauth-client:c"));
        await ids.saveDelegation(delegation("other", null, "spiffe://zyx.example/a"));
        expect((await ids.revoke("child1", "2026-01-01T00:20:00.000Z", "incident")).sort()).toEqual([
          "child1",
          "grandchild",
        ]);
        expect(await ids.revoke("child1", "2026-01-01T00:21:00.000Z", "again")).toEqual([]);
        const reopened = (await open()).identities();
        expect(await reopened.getDelegation("grandchild")).toMatchObject({
          revoked_at: "2026-01-01T00:20:00.000Z",
          revoke_reason: "incident",
        });
        expect((await reopened.getDelegation("root"))?.revoked_at).toBeNull();
        expect((await reopened.getDelegation("other"))?.revoked_at).toBeNull();
      });
    });

    describe("approvals and the runtime kill switch (same database)", () => {
      const request = (id: string, expiresAt: string) => ({
        id,
        trace_id: `trace-${id}`,
        tool: "aws_modify_security_group",
        args: { account: "development" },
        justification: "close SSH",
        requester: {
          email: "dev@zyx.example",
          groups: ["g"],
          deviceCompliant: true,
          authenticatedBy: "oidc" as const,
        },
        risk: "high",
        reasons: ["approval required"],
        approval_groups: ["approvers"],
        approvals_required: 2,
        diff: null,
        blast_radius: null,
        created_at: "2026-01-01T00:00:00.000Z",
        expires_at: expiresAt,
        status: "pending" as const,
        votes: [],
        outcome: null,
        slack: null,
      });

      it("keeps pending requests across a restart and applies changes atomically", async () => {
        await store.approvals().create(request("a1", "2026-01-01T01:00:00.000Z"));
        await store.approvals().create(request("a2", "2026-01-01T00:30:00.000Z"));
        const reopened = (await open()).approvals();
        expect((await reopened.list({ status: "pending", limit: 10 })).map((r) => r.id).sort()).toEqual([
          "a1",
          "a2",
        ]);
        const changed = await reopened.update("a1", (r) => ({ ...r, status: "approved" }));
        expect(changed?.before.status).toBe("pending");
        expect(changed?.after.status).toBe("approved");
        expect((await store.approvals().get("a1"))?.status).toBe("approved");
        expect(await reopened.update("missing", (r) => r)).toBeNull();
        expect(await reopened.expiredIds("2026-01-01T00:45:00.000Z", 10)).toEqual(["a2"]);
      });

      it("lets exactly one of many concurrent claims execute an approved request", async () => {
        await store.approvals().create({ ...request("c1", "2026-01-01T01:00:00.000Z"), status: "approved" });
        await store.approvals().create(request("c2", "2026-01-01T01:00:00.000Z"));
        const stores = [store, await open(), await open()].map((s) => s.approvals());
        const claims = await Promise.all(
          Array.from({ length: 30 }, (_, i) => stores[i % 3]!.claim("c1", "2026-01-01T00:10:00.000Z")),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect(await store.approvals().claim("c2", "2026-01-01T00:10:00.000Z")).toBe(false); // not approved
      });

      it("keeps the runtime kill switch with who, why and a growing version", async () => {
        expect(await store.killSwitch().get()).toBeNull();
        const off = {
          read_only_mode: false,
          all_write_tools_disabled: false,
          disabled_users: [],
          disabled_connectors: [],
          disabled_workflows: [],
        };
        const first = await store
          .killSwitch()
          .set({ ...off, read_only_mode: true }, "sec@zyx.example", "drill", "t1");
        const second = await (await open()).killSwitch().set(off, "sec@zyx.example", "over", "t2");
        expect(first.version).toBe(1);
        expect(second.version).toBe(2);
        expect(await store.killSwitch().get()).toMatchObject({
          updated_by: "sec@zyx.example",
          reason: "over",
          version: 2,
        });
      });
    });
  });
}
