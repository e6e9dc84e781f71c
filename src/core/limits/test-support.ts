import type { CompiledPolicy, CompiledTool } from "../policy/compile.js";
import { policyFromText } from "../policy/test-support.js";
import { type BreakerState, type CallCounts, emptyLimitState, type LimitState } from "./state.js";

/** A policy whose one tool, `aws_change`, carries the given sections (YAML, indented under the tool). */
export function limitedPolicy(sections: string, extra = ""): CompiledPolicy {
  return policyFromText(
    `version: "limits-test"\ntools:\n  aws_change:\n    allowed_groups: [g]\n    write: true\n${indent(sections)}${extra}`,
  );
}

export function limitedTool(sections: string): CompiledTool {
  return limitedPolicy(sections).tools.get("aws_change")!;
}

function indent(text: string): string {
  return text
    .trim()
    .split("\n")
    .map((line) => `    ${line}\n`)
    .join("");
}

export function counts(minute: number, hour = minute, day = hour): CallCounts {
  return { minute, hour, day };
}

export function limitState(
  overrides: Partial<Omit<LimitState, "breaker">> & { breaker?: Partial<BreakerState> } = {},
): LimitState {
  const empty = emptyLimitState();
  return { ...empty, ...overrides, breaker: { ...empty.breaker, ...overrides.breaker } };
}
