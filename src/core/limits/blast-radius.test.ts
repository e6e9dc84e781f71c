import { describe, expect, it } from "vitest";
import { REASONS } from "../policy/reasons.js";
import { evaluateLimits } from "./evaluate.js";
import { limitedTool, limitState } from "./test-support.js";

const NOW = Date.UTC(2026, 4, 22, 12, 0);
const caps = "max_resources_per_call: 10, max_resources_per_hour: 25";
const deny = limitedTool(`blast_radius: { ${caps} }`);
const approve = limitedTool(`blast_radius: { ${caps}, over_limit: require_approval }`);

function verdict(tool = deny, resources = 1, lastHour = 0, production = false) {
  return evaluateLimits(tool, limitState({ resourcesLastHour: lastHour }), { resources, production }, NOW);
}

describe("evaluateLimits: blast radius", () => {
  it("lets a call touch up to the per-call cap", () => {
    expect(verdict(deny, 10).reasons).toEqual([]);
  });

  it("refuses a call over the per-call cap", () => {
    expect(verdict(deny, 11).reasons).toEqual([REASONS.blastRadiusExceeded]);
  });

  it("counts the last hour plus this call against the hourly cap", () => {
    expect(verdict(deny, 5, 20).reasons).toEqual([]);
    expect(verdict(deny, 6, 20).reasons).toEqual([REASONS.blastRadiusExceeded]);
    expect(verdict(deny, 1, 25).reasons).toEqual([REASONS.blastRadiusExceeded]);
  });

  it("reports the reason once when both caps are passed", () => {
    expect(verdict(deny, 11, 25).reasons).toEqual([REASONS.blastRadiusExceeded]);
  });

  it("asks for an approval instead when over_limit is require_approval", () => {
    expect(verdict(approve, 11)).toEqual({ reasons: [], requireApproval: true, breaker: "closed" });
    expect(verdict(approve, 6, 20)).toEqual({ reasons: [], requireApproval: true, breaker: "closed" });
    expect(verdict(approve, 1, 0).requireApproval).toBe(false);
  });

  it("never lets a tool with a blast radius reach production, not even with an approval", () => {
    expect(verdict(deny, 1, 0, true)).toEqual({
      reasons: [REASONS.blastRadiusExceeded],
      requireApproval: false,
      breaker: "closed",
    });
    expect(verdict(approve, 1, 0, true)).toEqual({
      reasons: [REASONS.blastRadiusExceeded],
      requireApproval: false,
      breaker: "closed",
    });
  });

  it("refuses production even when the section sets no caps", () => {
    const bare = limitedTool("blast_radius: {}");
    expect(verdict(bare, 1_000_000, 1_000_000).reasons).toEqual([]);
    expect(verdict(bare, 0, 0, true).reasons).toEqual([REASONS.blastRadiusExceeded]);
  });
});
