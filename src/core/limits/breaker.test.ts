import { describe, expect, it } from "vitest";
import { REASONS } from "../policy/reasons.js";
import { breakerStatus } from "./breaker.js";
import { evaluateLimits } from "./evaluate.js";
import type { BreakerState } from "./state.js";
import { breakerCountStart, limitWindows, MINUTE_MS } from "./state.js";
import { limitedTool, limitState } from "./test-support.js";

const NOW = Date.UTC(2026, 4, 22, 12, 0);
const call = { resources: 0, production: false };
const section = "error_rate: 0.5, min_calls: 4, window: 10m, max_rollbacks: 2, cooldown: 15m";
const deny = limitedTool(`circuit_breaker: { ${section} }`);
const approve = limitedTool(`circuit_breaker: { ${section}, on_open: require_approval }`);
const windows = limitWindows(deny).breaker!;

function verdict(breaker: Partial<BreakerState>, tool = deny, now = NOW) {
  return evaluateLimits(tool, limitState({ breaker }), call, now);
}

const denied = { reasons: [REASONS.breakerOpen], requireApproval: false };
const passes = { reasons: [], requireApproval: false };

describe("circuit breaker: opening", () => {
  it("stays closed below min_calls, however many of them failed", () => {
    expect(verdict({ calls: 3, errors: 3 })).toEqual({ ...passes, breaker: "closed" });
  });

  it("opens at min_calls when the error rate reaches error_rate", () => {
    expect(verdict({ calls: 4, errors: 2 })).toEqual({ ...denied, breaker: "open" });
    expect(verdict({ calls: 10, errors: 5 })).toEqual({ ...denied, breaker: "open" });
  });

  it("stays closed while the error rate is below error_rate", () => {
    expect(verdict({ calls: 10, errors: 4 })).toEqual({ ...passes, breaker: "closed" });
  });

  it("opens at max_rollbacks, whatever the error rate", () => {
    expect(verdict({ rollbacks: 1 })).toEqual({ ...passes, breaker: "closed" });
    expect(verdict({ rollbacks: 2, calls: 100 })).toEqual({ ...denied, breaker: "open" });
  });

  it("ignores rollbacks when max_rollbacks is not set", () => {
    const noRollbacks = limitedTool("circuit_breaker: { min_calls: 4 }");
    expect(verdict({ rollbacks: 1000 }, noRollbacks).breaker).toBe("closed");
  });

  it("asks the caller to record an opening only when none is running", () => {
    const w = windows;
    expect(
      breakerStatus(deny.circuitBreaker!, w, limitState({ breaker: { calls: 4, errors: 4 } }).breaker, NOW),
    ).toEqual({ phase: "open", opensNow: true });
    const opened = limitState({ breaker: { calls: 4, errors: 4, openedAt: NOW - MINUTE_MS } }).breaker;
    expect(breakerStatus(deny.circuitBreaker!, w, opened, NOW)).toEqual({ phase: "open", opensNow: false });
  });

  it("with on_open require_approval, adds no reason but asks for an approval", () => {
    expect(verdict({ calls: 4, errors: 4 }, approve)).toEqual({
      reasons: [],
      requireApproval: true,
      breaker: "open",
    });
  });
});

describe("circuit breaker: cooldown, half-open, close or re-open", () => {
  const openedAt = NOW - 5 * MINUTE_MS;
  const cooled = openedAt + 15 * MINUTE_MS;

  it("stays open for the cooldown after it opened, even with a clean window", () => {
    expect(verdict({ openedAt }, deny, NOW)).toEqual({ ...denied, breaker: "open" });
    expect(verdict({ openedAt }, deny, cooled - 1)).toEqual({ ...denied, breaker: "open" });
  });

  it("is half-open when the cooldown has ended and no call has finished since: the call is the trial", () => {
    expect(verdict({ openedAt }, deny, cooled)).toEqual({ ...passes, breaker: "half_open" });
  });

  it("lets no second call through while another holds the trial", () => {
    expect(verdict({ openedAt, trialHeldSince: cooled + 1000 }, deny, cooled + 2000)).toEqual({
      ...denied,
      breaker: "half_open",
    });
    expect(verdict({ openedAt, trialHeldSince: cooled }, approve, cooled + 2000)).toEqual({
      reasons: [],
      requireApproval: true,
      breaker: "half_open",
    });
  });

  it("presumes a trial lost after one cooldown without an outcome, and lets the next call try", () => {
    const held = cooled + 1000;
    expect(verdict({ openedAt, trialHeldSince: held }, deny, held + 15 * MINUTE_MS - 1).reasons).toEqual([
      REASONS.breakerOpen,
    ]);
    expect(verdict({ openedAt, trialHeldSince: held }, deny, held + 15 * MINUTE_MS)).toEqual({
      ...passes,
      breaker: "half_open",
    });
  });

  it("closes when the trial succeeds", () => {
    expect(verdict({ openedAt, trialOutcome: "ok", calls: 1 }, deny, cooled + 1000)).toEqual({
      ...passes,
      breaker: "closed",
    });
  });

  it("re-opens when the trial fails, and asks for the new opening to be recorded", () => {
    const state = limitState({ breaker: { openedAt, trialOutcome: "error", calls: 1, errors: 1 } }).breaker;
    expect(verdict(state, deny, cooled + 1000)).toEqual({ ...denied, breaker: "open" });
    expect(breakerStatus(deny.circuitBreaker!, windows, state, cooled + 1000)).toEqual({
      phase: "open",
      opensNow: true,
    });
  });

  it("after closing, opens again only on failures counted since the cooldown ended", () => {
    expect(
      verdict({ openedAt, trialOutcome: "ok", calls: 4, errors: 1 }, deny, cooled + MINUTE_MS).breaker,
    ).toBe("closed");
    expect(
      verdict({ openedAt, trialOutcome: "ok", calls: 4, errors: 2 }, deny, cooled + MINUTE_MS).breaker,
    ).toBe("open");
  });
});

describe("breakerCountStart: which rows the store counts", () => {
  it("is the window when the breaker never opened", () => {
    expect(breakerCountStart(windows, null, NOW)).toBe(NOW - 10 * MINUTE_MS);
  });

  it("is the window while the breaker is open (the failures that opened it still count)", () => {
    expect(breakerCountStart(windows, NOW - MINUTE_MS, NOW)).toBe(NOW - 10 * MINUTE_MS);
  });

  it("starts at the end of the cooldown once it has passed, while that is inside the window", () => {
    const openedAt = NOW - 20 * MINUTE_MS;
    expect(breakerCountStart(windows, openedAt, NOW)).toBe(NOW - 5 * MINUTE_MS);
    expect(breakerCountStart(windows, NOW - 60 * MINUTE_MS, NOW)).toBe(NOW - 10 * MINUTE_MS);
  });

  it("reads the policy's durations, and the schema's defaults", () => {
    expect(limitWindows(limitedTool("circuit_breaker: {}")).breaker).toEqual({
      windowMs: 10 * MINUTE_MS,
      cooldownMs: 15 * MINUTE_MS,
    });
    expect(limitWindows(limitedTool("risk: low")).breaker).toBeNull();
  });
});
