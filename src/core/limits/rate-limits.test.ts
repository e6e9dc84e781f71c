import { describe, expect, it } from "vitest";
import { REASONS } from "../policy/reasons.js";
import { evaluateLimits } from "./evaluate.js";
import { counts, limitedTool, limitState } from "./test-support.js";

const NOW = Date.UTC(2026, 4, 22, 12, 0);
const call = { resources: 1, production: false };

const tool = limitedTool(`
rate_limits:
  per_user: { max_per_minute: 3, max_per_hour: 20, max_per_day: 100 }
  per_agent: { max_per_minute: 5 }
  per_tool: { max_per_hour: 50 }
`);

describe("evaluateLimits: rate limits", () => {
  it("lets a call through while every window is below its maximum", () => {
    const state = limitState({ user: counts(2, 19, 99), agent: counts(4), tool: counts(0, 49, 49) });
    expect(evaluateLimits(tool, state, call, NOW)).toEqual({
      reasons: [],
      requireApproval: false,
      breaker: "closed",
    });
  });

  it.each([
    ["per-user minute", { user: counts(3, 3, 3) }],
    ["per-user hour", { user: counts(0, 20, 20) }],
    ["per-user day", { user: counts(0, 0, 100) }],
    ["per-agent minute", { agent: counts(5) }],
    ["per-tool hour", { tool: counts(0, 50, 50) }],
  ])("refuses the call that would be one over the %s maximum", (_, overrides) => {
    const verdict = evaluateLimits(tool, limitState(overrides), call, NOW);
    expect(verdict.reasons).toEqual([REASONS.rateLimited]);
    expect(verdict.requireApproval).toBe(false);
  });

  it("reports the reason once when several windows are full", () => {
    const state = limitState({ user: counts(3, 20, 100), agent: counts(9), tool: counts(50) });
    expect(evaluateLimits(tool, state, call, NOW).reasons).toEqual([REASONS.rateLimited]);
  });

  it("does not apply per_agent when no agent acts", () => {
    const state = limitState({ agent: null, user: counts(1) });
    expect(evaluateLimits(tool, state, call, NOW).reasons).toEqual([]);
  });

  it("leaves windows the policy does not name unlimited", () => {
    const minuteOnly = limitedTool("rate_limits:\n  per_user: { max_per_minute: 1 }");
    const state = limitState({ user: counts(0, 10_000, 1_000_000), tool: counts(1_000_000) });
    expect(evaluateLimits(minuteOnly, state, call, NOW).reasons).toEqual([]);
  });

  it("never asks for an approval instead of refusing, even where other sections would", () => {
    const both = limitedTool(`
rate_limits:
  per_tool: { max_per_minute: 1 }
blast_radius: { max_resources_per_call: 1, over_limit: require_approval }
`);
    const verdict = evaluateLimits(
      both,
      limitState({ tool: counts(1) }),
      { resources: 1, production: false },
      NOW,
    );
    expect(verdict).toEqual({ reasons: [REASONS.rateLimited], requireApproval: false, breaker: "closed" });
  });

  it("checks nothing for a tool without limit sections", () => {
    const plain = limitedTool("risk: low");
    const state = limitState({ user: counts(1e6), tool: counts(1e6), resourcesLastHour: 1e9 });
    expect(evaluateLimits(plain, state, { resources: 1e6, production: true }, NOW)).toEqual({
      reasons: [],
      requireApproval: false,
      breaker: "closed",
    });
  });
});
