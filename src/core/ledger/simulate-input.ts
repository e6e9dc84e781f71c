import type { AuditDecision } from "../audit/event.js";
import type { DecisionInput } from "../policy/gateway.js";
import { REASONS } from "../policy/reasons.js";
import type { LedgerRecord } from "./record.js";

/**
 * Rebuilds the gateway's inputs from a recorded `policy_decision` event, as the tool runner
 * wrote it (harness/tool-runner.ts): the actor is the principal; a call-stage event carries
 * `tool` {name, args} and one decision; a plan-stage event carries `data.tools` and one
 * decision per tool in the same order, with no arguments (the gateway checks those per call).
 *
 * What the ledger cannot give back is named, not guessed: arguments redacted before hashing,
 * the change-ticket lookup when its fact was not recorded. The runtime kill switch is not
 * recorded either; simulate.ts flags decisions whose recorded kill-switch reasons it cannot
 * reproduce.
 */
export type Stage = "call" | "plan";

export interface ReplayInput {
  stage: Stage;
  tool: string;
  input: DecisionInput;
  recorded: AuditDecision;
  /** Why replaying this input may not reproduce what the gateway saw. */
  uncertainty: string[];
}

export const UNCERTAIN = {
  redactedArgs: "arguments were redacted in the ledger",
  ticketLookup: "the change-ticket lookup was not recorded",
  runtimeKillSwitch: "the runtime kill switch in force at the time is not recorded",
} as const;

/** Markers the redactor leaves in place of values it removed or cut. */
const REDACTION_MARKER = /\[(?:REDACTED(?::[^\]]*)?|CIRCULAR|TRUNCATED)\]/;

/** The inputs of every decision in `record`, or why there are none. */
export function replayInputs(record: LedgerRecord): ReplayInput[] | { skip: string } {
  const actor = record.actor;
  if (!actor) return { skip: "no actor recorded" };
  const decisions = record.decisions ?? [];
  if (decisions.length === 0) return { skip: "no decisions recorded" };
  const stage = stageOf(record);
  const data = record.data ?? {};
  const base = {
    principal: {
      email: actor.user,
      groups: actor.groups,
      deviceCompliant: actor.device_compliant,
      authenticatedBy: "cli" as const,
    },
    ...(typeof data.workflow === "string" ? { workflow: data.workflow } : {}),
    ...factsOf(data.facts),
  };
  const args = stage === "call" ? argsOf(record.tool?.args) : undefined;
  const plannedTools = Array.isArray(data.tools) ? data.tools : [];
  return decisions.map((recorded, i) => {
    const tool = toolName(stage, record, plannedTools[i], recorded);
    const input: DecisionInput = { ...base, tool, ...(args ? { args } : {}) };
    return { stage, tool, input, recorded, uncertainty: staticUncertainty(input, recorded) };
  });
}

function stageOf(record: LedgerRecord): Stage {
  const stage = record.data?.stage;
  if (stage === "plan" || stage === "call") return stage;
  return record.tool ? "call" : "plan";
}

function toolName(stage: Stage, record: LedgerRecord, planned: unknown, recorded: AuditDecision): string {
  if (stage === "call" && record.tool) return record.tool.name;
  if (typeof planned === "string") return planned;
  return recorded.tool_name;
}

function argsOf(args: unknown): Record<string, unknown> {
  return typeof args === "object" && args !== null && !Array.isArray(args)
    ? (args as Record<string, unknown>)
    : {};
}

function factsOf(facts: unknown): Pick<DecisionInput, "facts"> {
  if (typeof facts !== "object" || facts === null) return {};
  const exists = (facts as { changeTicketExists?: unknown }).changeTicketExists;
  return typeof exists === "boolean" ? { facts: { changeTicketExists: exists } } : {};
}

function staticUncertainty(input: DecisionInput, recorded: AuditDecision): string[] {
  const out: string[] = [];
  if (input.args && containsMarker(input.args, 0)) out.push(UNCERTAIN.redactedArgs);
  if (
    recorded.reasons.includes(REASONS.changeTicketNotFound) &&
    input.facts?.changeTicketExists === undefined
  ) {
    out.push(UNCERTAIN.ticketLookup);
  }
  return out;
}

function containsMarker(value: unknown, depth: number): boolean {
  if (typeof value === "string") return REDACTION_MARKER.test(value);
  if (typeof value !== "object" || value === null || depth > 64) return false;
  const items = Array.isArray(value) ? value : Object.values(value);
  return items.some((item) => containsMarker(item, depth + 1));
}
