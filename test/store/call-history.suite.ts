import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emptyLimitState, HOUR_MS, type LimitWindows, MINUTE_MS } from "../../src/core/limits/state.js";
import { limitedPolicy } from "../../src/core/limits/test-support.js";
import { decide } from "../../src/core/policy/gateway.js";
import { REASONS } from "../../src/core/policy/reasons.js";
import { user } from "../../src/core/policy/test-support.js";
import type { Principal } from "../../src/core/principal.js";
import { createLimits } from "../../src/harness/limits.js";
import {
  BREAKER_SQL,
  type CallHistoryStore,
  type CallRecord,
  CLAIM_SQL,
  OPENED_SQL,
  RATE_SQL,
  TRIAL_SQL,
} from "../../src/store/call-history-store.js";
import type { LedgerStore } from "../../src/store/ledger-store.js";

export interface CallHistoryFixture {
  /** A store on this fixture's database; each call is another replica on the same data. */
  open(): Promise<LedgerStore>;
  /** The database's query plan for `sql` (parameters unbound), one line per step; omit if unsupported. */
  plan?(sql: string): Promise<string[]>;
  dispose(): Promise<void>;
}

const NOW = Date.UTC(2026, 4, 22, 12, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const ALICE = "alice@zyxbank.example";
const BOB = "bob@zyxbank.example";
const AGENT = "spiffe://zyxbank.example/agent/reviewer";
const BREAKER: LimitWindows = { breaker: { windowMs: 10 * MINUTE_MS, cooldownMs: 15 * MINUTE_MS } };

function call(overrides: Partial<CallRecord> & { ago: number }): CallRecord {
  const { ago, ...rest } = overrides;
  return {
    at: iso(NOW - ago),
    tool: "aws_change",
    user: ALICE,
    agent: null,
    outcome: "ok",
    resources: 0,
    ...rest,
  };
}

/** Registers the CallHistoryStore behaviour every adapter must have. */
export function callHistorySuite(name: string, newFixture: () => Promise<CallHistoryFixture>): void {
  describe(`CallHistoryStore behaviour: ${name}`, () => {
    let fixture: CallHistoryFixture;
    let ledger: LedgerStore;
    let store: CallHistoryStore;
    const opened: LedgerStore[] = [];
    const open = async () => {
      const s = await fixture.open();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      fixture = await newFixture();
      ledger = await open();
      store = ledger.calls();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await fixture.dispose();
    });

    it("returns the same store each time, and an empty history counts nothing", async () => {
      expect(ledger.calls()).toBe(store);
      expect(await store.state("aws_change", ALICE, null, NOW, BREAKER)).toEqual(emptyLimitState());
      expect((await store.state("aws_change", ALICE, AGENT, NOW, { breaker: null })).agent).toEqual({
        minute: 0,
        hour: 0,
        day: 0,
      });
    });

    it("counts the user's, the agent's and everyone's calls of the tool in the minute, hour and day", async () => {
      for (const c of [
        call({ ago: 30_000, agent: AGENT }),
        call({ ago: 5 * MINUTE_MS, agent: AGENT, outcome: "error" }),
        call({ ago: 3 * HOUR_MS }),
        call({ ago: 2 * 86_400_000 }), // older than a day: counted nowhere
        call({ ago: 10_000, user: BOB, agent: AGENT }),
        call({ ago: 10_000, tool: "jira_read" }), // another tool
        call({ ago: -1000 }), // after `now`: not yet
      ]) {
        await store.record(c);
      }
      const state = await store.state("aws_change", ALICE, AGENT, NOW, { breaker: null });
      expect(state.user).toEqual({ minute: 1, hour: 2, day: 3 });
      expect(state.agent).toEqual({ minute: 2, hour: 3, day: 3 });
      expect(state.tool).toEqual({ minute: 2, hour: 3, day: 4 });
      expect((await store.state("aws_change", ALICE, null, NOW, { breaker: null })).agent).toBeNull();
    });

    it("counts a window's first millisecond and not the one before", async () => {
      await store.record(call({ ago: MINUTE_MS }));
      await store.record(call({ ago: MINUTE_MS + 1 }));
      expect((await store.state("aws_change", ALICE, null, NOW, { breaker: null })).user.minute).toBe(1);
    });

    it("sums the resources the tool's calls touched in the last hour, by everyone", async () => {
      await store.record(call({ ago: MINUTE_MS, resources: 4 }));
      await store.record(call({ ago: 30 * MINUTE_MS, user: BOB, resources: 5, outcome: "error" }));
      await store.record(call({ ago: 2 * HOUR_MS, resources: 100 }));
      await store.record(call({ ago: MINUTE_MS, tool: "other", resources: 100 }));
      expect((await store.state("aws_change", ALICE, null, NOW, { breaker: null })).resourcesLastHour).toBe(
        9,
      );
    });

    it("counts errors, calls and rollbacks in the breaker's window, and remembers its opening", async () => {
      await store.record(call({ ago: MINUTE_MS, outcome: "error" }));
      await store.record(call({ ago: 2 * MINUTE_MS }));
      await store.record(call({ ago: 11 * MINUTE_MS, outcome: "error" })); // outside the window
      await store.recordRollback("aws_change", iso(NOW - 3 * MINUTE_MS));
      await store.recordRollback("aws_change", iso(NOW - 20 * MINUTE_MS));
      await store.recordBreakerOpened("aws_change", iso(NOW - 2 * MINUTE_MS));
      const breaker = await store.breakerState("aws_change", NOW, BREAKER);
      expect(breaker).toEqual({
        calls: 2,
        errors: 1,
        rollbacks: 1,
        openedAt: NOW - 2 * MINUTE_MS,
        trialOutcome: null,
        trialHeldSince: null,
      });
      // Rollbacks and openings are not anyone's calls.
      const state = await store.state("aws_change", ALICE, null, NOW, BREAKER);
      expect(state.user).toEqual({ minute: 1, hour: 3, day: 3 });
      expect(state.breaker).toEqual(breaker);
    });

    it("after the cooldown, counts only from its end and reports the first call since as the trial", async () => {
      const openedAt = NOW - 20 * MINUTE_MS; // cooled at NOW - 5m
      await store.recordBreakerOpened("aws_change", iso(openedAt));
      await store.record(call({ ago: 8 * MINUTE_MS, outcome: "error" })); // before the cooldown ended
      await store.record(call({ ago: 4 * MINUTE_MS, outcome: "error" }));
      await store.record(call({ ago: 3 * MINUTE_MS }));
      expect(await store.breakerState("aws_change", NOW, BREAKER)).toMatchObject({
        calls: 2,
        errors: 1,
        openedAt,
        trialOutcome: "error",
      });
    });

    it("gives the half-open trial to exactly one of many concurrent callers, across replicas", async () => {
      const other = (await open()).calls();
      const openedAt = NOW - 20 * MINUTE_MS;
      await store.recordBreakerOpened("aws_change", iso(openedAt));
      const claim = (s: CallHistoryStore, i: number) =>
        s.claimTrial({
          tool: "aws_change",
          user: `u${i}@zyxbank.example`,
          agent: null,
          at: iso(NOW),
          cooledAt: iso(NOW - 5 * MINUTE_MS),
          heldAfter: iso(NOW - 5 * MINUTE_MS),
        });
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => claim(i % 2 ? other : store, i)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      const breaker = await other.breakerState("aws_change", NOW, BREAKER);
      expect(breaker).toMatchObject({ trialHeldSince: NOW, trialOutcome: null, calls: 0 });
      // A claim is not a call.
      expect((await store.state("aws_change", "u0@zyxbank.example", null, NOW, BREAKER)).user.minute).toBe(0);
    });

    it("refuses the trial once a call has finished since the cooldown, and lets a lost claim be taken again", async () => {
      const base = { tool: "aws_change", user: ALICE, agent: null, cooledAt: iso(NOW - 5 * MINUTE_MS) };
      await store.claimTrial({ ...base, at: iso(NOW - 4 * MINUTE_MS), heldAfter: base.cooledAt });
      // The earlier claim is older than `heldAfter`: presumed lost.
      expect(await store.claimTrial({ ...base, at: iso(NOW), heldAfter: iso(NOW - 3 * MINUTE_MS) })).toBe(
        true,
      );
      await store.record(call({ ago: 0 }));
      expect(await store.claimTrial({ ...base, at: iso(NOW + 1), heldAfter: iso(NOW + 1) })).toBe(false);
    });

    it("shares the counters between replicas on one database", async () => {
      const other = (await open()).calls();
      await store.record(call({ ago: 1000 }));
      await other.record(call({ ago: 2000, user: BOB }));
      expect((await other.state("aws_change", ALICE, null, NOW, BREAKER)).tool.minute).toBe(2);
      expect((await store.state("aws_change", BOB, null, NOW, BREAKER)).tool.minute).toBe(2);
    });

    it("answers from the indexes, never by scanning the table", async (ctx) => {
      if (!fixture.plan) return ctx.skip();
      for (const sql of [RATE_SQL, OPENED_SQL, BREAKER_SQL, TRIAL_SQL, CLAIM_SQL]) {
        const plan = (await fixture.plan(sql)).join("\n");
        // SQLite: "SEARCH tool_calls USING INDEX tool_calls_tool_at"; PostgreSQL: "Index Scan using …".
        expect(plan, sql).toMatch(/index (scan )?(using |on )?tool_calls_\w+_at/i);
        expect(plan, sql).not.toMatch(/SCAN tool_calls\b|Seq Scan on tool_calls/);
      }
    });

    describe("through the harness service, with the gateway", () => {
      const policy = limitedPolicy(`
rate_limits: { per_user: { max_per_minute: 3 } }
circuit_breaker: { error_rate: 0.5, min_calls: 2, window: 10m, cooldown: 15m }
blast_radius: { max_resources_per_hour: 10 }
`);
      const alice: Principal = user({ email: "Alice@zyxbank.example", groups: ["g"] });
      const bob: Principal = user({ email: BOB, groups: ["g"] });
      let time = NOW;
      const clock = { now: () => new Date(time) };
      const limits = () => createLimits({ store, policy: () => policy, clock });
      const check = async (principal: Principal, resources = 0) => {
        const snap = await limits().stateFor("aws_change", principal);
        return decide(policy, {
          principal,
          tool: "aws_change",
          limits: { ...snap, resources, production: false },
        });
      };

      beforeEach(() => {
        time = NOW;
      });

      it("counts the user's calls (whatever the email's case) toward the rate limit", async () => {
        for (let i = 0; i < 3; i++) await limits().recordOutcome("aws_change", alice, "ok", 1);
        expect((await check(alice)).reasons).toEqual([REASONS.rateLimited]);
        expect((await check(bob)).reasons).toEqual([]);
        expect((await check(bob, 8)).reasons).toEqual([REASONS.blastRadiusExceeded]);
      });

      it("opens on failures, stays open for the cooldown, lets one trial through, and closes on its success", async () => {
        await limits().recordOutcome("aws_change", alice, "error", 0);
        await limits().recordOutcome("aws_change", bob, "error", 0);
        expect((await store.breakerState("aws_change", time, BREAKER)).openedAt).toBe(NOW);
        time = NOW + 14 * MINUTE_MS;
        expect((await check(alice)).reasons).toEqual([REASONS.breakerOpen]);
        time = NOW + 15 * MINUTE_MS;
        expect((await check(alice)).reasons).toEqual([]); // the trial
        expect((await check(bob)).reasons).toEqual([REASONS.breakerOpen]); // not the trial
        time += 1000;
        await limits().recordOutcome("aws_change", alice, "ok", 0);
        expect((await check(bob)).reasons).toEqual([]);
        expect((await check(alice)).reasons).toEqual([]);
      });

      it("re-opens for another cooldown when the trial fails", async () => {
        await limits().recordOutcome("aws_change", alice, "error", 0);
        await limits().recordOutcome("aws_change", alice, "error", 0);
        time = NOW + 15 * MINUTE_MS;
        expect((await check(alice)).allowed).toBe(true);
        time += 1000;
        await limits().recordOutcome("aws_change", alice, "error", 0);
        expect((await store.breakerState("aws_change", time, BREAKER)).openedAt).toBe(time);
        time += 14 * MINUTE_MS;
        expect((await check(bob)).reasons).toEqual([REASONS.breakerOpen]);
        time += MINUTE_MS;
        expect((await check(bob)).reasons).toEqual([]);
      });

      it("opens on rollbacks", async () => {
        const rollbacks = limitedPolicy("circuit_breaker: { max_rollbacks: 2 }");
        const service = createLimits({ store, policy: () => rollbacks, clock });
        await service.recordRollback("aws_change");
        expect((await store.breakerState("aws_change", time, BREAKER)).openedAt).toBeNull();
        await service.recordRollback("aws_change");
        expect((await store.breakerState("aws_change", time, BREAKER)).openedAt).toBe(NOW);
      });

      it("records nothing for a tool without limits, and reads nothing for it", async () => {
        const plain = limitedPolicy("risk: low");
        const service = createLimits({ store, policy: () => plain, clock });
        await service.recordOutcome("aws_change", alice, "error", 5);
        expect(await service.stateFor("aws_change", alice)).toEqual({ state: emptyLimitState(), now: NOW });
        expect((await store.state("aws_change", ALICE, null, NOW, BREAKER)).tool.minute).toBe(0);
      });
    });
  });
}
