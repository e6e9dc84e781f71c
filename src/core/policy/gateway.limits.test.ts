import { describe, expect, it } from "vitest";
import { counts, limitedPolicy, limitState } from "../limits/test-support.js";
import { decide } from "./gateway.js";
import { REASONS } from "./reasons.js";
import { user } from "./test-support.js";

const NOW = Date.UTC(2026, 4, 22, 12, 0);
const g = user({ groups: ["g"] });
const policy = limitedPolicy(
  `
rate_limits: { per_user: { max_per_minute: 2 } }
circuit_breaker: { min_calls: 2, error_rate: 0.5, on_open: require_approval }
blast_radius: { max_resources_per_call: 5 }
allowed_accounts: [development]
production_allowed: false
`,
  "  jira_read: { allowed_groups: [g], write: false }\n",
);
const clean = { state: limitState(), resources: 1, production: false, now: NOW };
const args = { account: "development" };

describe("decide with limits", () => {
  it("authorizes a call within every limit", () => {
    const d = decide(policy, { principal: g, tool: "aws_change", args, limits: clean });
    expect(d).toMatchObject({
      allowed: true,
      reason: REASONS.authorized,
      reasons: [],
      approval_required: false,
    });
  });

  it("refuses a call over a rate limit", () => {
    const limits = { ...clean, state: limitState({ user: counts(2) }) };
    const d = decide(policy, { principal: g, tool: "aws_change", args, limits });
    expect(d).toMatchObject({ allowed: false, reason: REASONS.rateLimited, approval_required: false });
  });

  it("reports limit reasons after the policy's own, and every one of them", () => {
    const limits = { ...clean, resources: 6, state: limitState({ user: counts(5) }) };
    const d = decide(policy, {
      principal: user({ groups: [] }),
      tool: "aws_change",
      args: { account: "prod" },
      limits,
    });
    expect(d.reasons).toEqual([
      REASONS.groupNotAllowed,
      REASONS.accountNotAllowed,
      REASONS.productionNotAllowed,
      REASONS.rateLimited,
      REASONS.blastRadiusExceeded,
    ]);
  });

  it("refuses a production target with a blast radius section", () => {
    const d = decide(policy, {
      principal: g,
      tool: "aws_change",
      args,
      limits: { ...clean, production: true },
    });
    expect(d).toMatchObject({ allowed: false, reasons: [REASONS.blastRadiusExceeded] });
  });

  it("asks for an approval while the breaker is open with on_open require_approval", () => {
    const limits = { ...clean, state: limitState({ breaker: { calls: 2, errors: 2 } }) };
    const d = decide(policy, { principal: g, tool: "aws_change", args, limits });
    expect(d).toMatchObject({ allowed: true, reasons: [], approval_required: true });
  });

  it("never turns a refusal into an approval: the reasons stay, approval_required is added", () => {
    const limits = { ...clean, state: limitState({ user: counts(9), breaker: { calls: 2, errors: 2 } }) };
    const d = decide(policy, { principal: g, tool: "aws_change", args, limits });
    expect(d).toMatchObject({ allowed: false, reasons: [REASONS.rateLimited], approval_required: true });
  });

  it("keeps approval_required false when the kill switch refused the call", () => {
    const switched = limitedPolicy("circuit_breaker: { min_calls: 1, on_open: require_approval }");
    const ks = { ...switched.killSwitch, allWriteToolsDisabled: true };
    const limits = { ...clean, state: limitState({ breaker: { calls: 1, errors: 1 } }) };
    const d = decide(switched, { principal: g, tool: "aws_change", runtimeKillSwitch: ks, limits });
    expect(d).toMatchObject({ allowed: false, reason: REASONS.allWritesDisabled, approval_required: false });
  });

  it("checks no limit when the caller passes no counters (a plan-level check)", () => {
    const d = decide(policy, { principal: g, tool: "aws_change", args });
    expect(d).toMatchObject({ allowed: true, approval_required: false });
  });

  it("ignores counters for a tool without limit sections", () => {
    const limits = { ...clean, resources: 1e6, production: true, state: limitState({ user: counts(1e6) }) };
    const d = decide(policy, { principal: g, tool: "jira_read", limits });
    expect(d).toMatchObject({ allowed: true, reasons: [] });
  });

  it("names the three limit reasons as constants", () => {
    expect([REASONS.rateLimited, REASONS.breakerOpen, REASONS.blastRadiusExceeded]).toEqual([
      "rate limit exceeded",
      "circuit breaker open",
      "blast radius exceeded",
    ]);
  });
});
