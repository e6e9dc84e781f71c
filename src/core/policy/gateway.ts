import { evaluateLimits } from "../limits/evaluate.js";
import { hasLimits, type LimitState } from "../limits/state.js";
import type { Principal } from "../principal.js";
import {
  type CompiledKillSwitch,
  type CompiledPolicy,
  type CompiledTool,
  normalizeChannel,
} from "./compile.js";
import { REASONS } from "./reasons.js";
import type { Risk } from "./schema.js";

/**
 * The policy gateway: a pure function from (policy, principal, tool, arguments, state) to a
 * decision carrying every reason. No I/O, no clock, no globals — so it can be tested
 * exhaustively, run a million times a second, and replayed against a candidate policy.
 */
export interface DecisionInput {
  principal: Principal;
  tool: string;
  /**
   * The call's arguments. Omitted for a plan-level check (authorizing a workflow's tool plan
   * before anything runs); argument-bound controls are then checked again on each real call.
   */
  args?: Readonly<Record<string, unknown>>;
  workflow?: string;
  /** The runtime kill switch held in the store; it adds to the policy file's, never lifts it. */
  runtimeKillSwitch?: CompiledKillSwitch | null;
  /** Facts the harness resolved before deciding (the gateway itself does no lookups). */
  facts?: { changeTicketExists?: boolean };
  /**
   * Counters the harness read for this call (rate limits, circuit breaker, blast radius), with
   * what the call would touch and the time they were read at. Omitted: those sections are not
   * checked (a plan-level check, or a caller without a store).
   */
  limits?: { state: LimitState; resources: number; production: boolean; now: number };
}

export interface Decision {
  tool_name: string;
  allowed: boolean;
  /** The first reason, in the reference's order; "authorized" when allowed. */
  reason: string;
  /** Every reason the call is refused, in evaluation order; empty when allowed. */
  reasons: string[];
  approval_required: boolean;
  approval_groups: readonly string[];
  risk: Risk | null;
  write: boolean;
  policy_version: string;
  policy_sha256: string;
}

export function decide(policy: CompiledPolicy, input: DecisionInput): Decision {
  const tool = policy.tools.get(input.tool);
  const reasons: string[] = [];
  killSwitchReasons(policy.killSwitch, input, tool, reasons);
  if (input.runtimeKillSwitch) killSwitchReasons(input.runtimeKillSwitch, input, tool, reasons);
  const blockedBySwitch = reasons.length > 0;

  if (input.principal.delegation) delegationReasons(policy, input, reasons);

  if (!tool) {
    reasons.push(REASONS.toolUndefined);
    return build(policy, input.tool, undefined, dedupe(reasons), false);
  }
  if (!belongsToAllowedGroup(tool, input.principal)) reasons.push(REASONS.groupNotAllowed);
  if (!input.principal.deviceCompliant) reasons.push(REASONS.deviceNotCompliant);
  if (input.args) argumentReasons(tool, input.args, input.facts, reasons);
  const limitsApproval = limitReasons(tool, input.limits, reasons);

  // The reference reports approval_required=false when the kill switch is what refused the call.
  // A limit that asks for an approval adds to the tool's own; it never lifts a refusal.
  const approval = !blockedBySwitch && (tool.approvalRequired || limitsApproval);
  return build(policy, input.tool, tool, dedupe(reasons), approval);
}

function killSwitchReasons(
  ks: CompiledKillSwitch,
  input: DecisionInput,
  tool: CompiledTool | undefined,
  out: string[],
): void {
  if (ks.disabledUsers.has(input.principal.email.toLowerCase())) out.push(REASONS.userDisabled);
  if (ks.disabledConnectors.has(input.tool) || (tool && ks.disabledConnectors.has(tool.connector))) {
    out.push(REASONS.connectorDisabled);
  }
  if (input.workflow !== undefined && ks.disabledWorkflows.has(input.workflow))
    out.push(REASONS.workflowDisabled);
  const write = tool?.write === true;
  if (write && ks.allWriteToolsDisabled) out.push(REASONS.allWritesDisabled);
  if (write && ks.readOnlyMode) out.push(REASONS.readOnly);
}

/**
 * An agent acting for a human gets the intersection of every identity in the chain: the human's
 * groups (checked below like any call), each hop's delegated scope (each a subset of the one
 * before, so the last is the narrowest, but all are checked: the chain is the record), and each
 * agent's own registered scope as the policy says today — shrinking an agent's scope or
 * removing it takes effect on delegations already issued.
 */
function delegationReasons(policy: CompiledPolicy, input: DecisionInput, out: string[]): void {
  const hops = input.principal.delegation?.hops ?? [];
  const account = input.args?.account;
  for (const hop of hops) {
    const agent = policy.agents.get(hop.agent);
    if (isDisabledAgent(policy.killSwitch, hop.agent, agent?.name)) out.push(REASONS.agentDisabled);
    if (input.runtimeKillSwitch && isDisabledAgent(input.runtimeKillSwitch, hop.agent, agent?.name))
      out.push(REASONS.agentDisabled);
    if (!agent) out.push(REASONS.agentNotRegistered);
    else if (!agent.scope.tools.includes(input.tool)) out.push(REASONS.toolOutsideAgentScope);
    if (!hop.scope.tools.includes(input.tool)) out.push(REASONS.toolOutsideDelegation);
    if (input.workflow !== undefined) {
      if (!hop.scope.workflows.includes(input.workflow)) out.push(REASONS.workflowOutsideDelegation);
      if (agent && !agent.scope.workflows.includes(input.workflow))
        out.push(REASONS.workflowOutsideDelegation);
    }
    if (typeof account === "string") {
      if (!hop.scope.accounts.includes(account)) out.push(REASONS.accountOutsideDelegation);
      if (agent && !agent.scope.accounts.includes(account)) out.push(REASONS.accountOutsideDelegation);
    }
  }
}

function isDisabledAgent(ks: CompiledKillSwitch, identity: string, name: string | undefined): boolean {
  return ks.disabledUsers.has(identity.toLowerCase()) || (name !== undefined && ks.disabledUsers.has(name));
}

function belongsToAllowedGroup(tool: CompiledTool, principal: Principal): boolean {
  for (const group of principal.groups) if (tool.allowedGroups.has(group)) return true;
  return false;
}

function argumentReasons(
  tool: CompiledTool,
  args: Readonly<Record<string, unknown>>,
  facts: DecisionInput["facts"],
  out: string[],
): void {
  const account = args.account;
  if (tool.allowedAccounts && !(typeof account === "string" && tool.allowedAccounts.has(account))) {
    out.push(REASONS.accountNotAllowed);
  }
  if (!tool.productionAllowed && (isProduction(account) || isProduction(args.environment))) {
    out.push(REASONS.productionNotAllowed);
  }
  const channel = args.channel;
  if (
    tool.allowedChannels &&
    !(typeof channel === "string" && tool.allowedChannels.has(normalizeChannel(channel)))
  ) {
    out.push(REASONS.channelNotAllowed);
  }
  if (tool.changeTicketRequired) {
    if (!isNonBlank(args.change_ticket)) out.push(REASONS.changeTicketRequired);
    else if (facts?.changeTicketExists === false) out.push(REASONS.changeTicketNotFound);
  }
  if (tool.rollbackPlanRequired && !isNonBlank(args.rollback_plan)) out.push(REASONS.rollbackPlanRequired);
}

/** Adds the limits' refusals; true when a limit asks for an approval instead. */
function limitReasons(tool: CompiledTool, limits: DecisionInput["limits"], out: string[]): boolean {
  if (!limits || !hasLimits(tool)) return false;
  const verdict = evaluateLimits(tool, limits.state, limits, limits.now);
  out.push(...verdict.reasons);
  return verdict.requireApproval;
}

/** `production`, `prod`, `prod-eu`, `Production_2` … are production; anything else is not. */
export function isProduction(value: unknown): boolean {
  return typeof value === "string" && /^prod(uction)?(?:[-_].*)?$/i.test(value);
}

function isNonBlank(value: unknown): boolean {
  return typeof value === "string" && value.trim().length > 0;
}

function dedupe(reasons: string[]): string[] {
  return reasons.length < 2 ? reasons : [...new Set(reasons)];
}

function build(
  policy: CompiledPolicy,
  toolName: string,
  tool: CompiledTool | undefined,
  reasons: string[],
  approvalRequired: boolean,
): Decision {
  return {
    tool_name: toolName,
    allowed: reasons.length === 0,
    reason: reasons[0] ?? REASONS.authorized,
    reasons,
    approval_required: approvalRequired,
    approval_groups: tool?.approvalGroups ?? [],
    risk: tool?.risk ?? null,
    write: tool?.write ?? false,
    policy_version: policy.version,
    policy_sha256: policy.sha256,
  };
}

/** The reference's `ToolDecision` shape, used in `/review-change` responses. */
export function toToolDecision(d: Decision) {
  return {
    tool_name: d.tool_name,
    allowed: d.allowed,
    reason: d.reason,
    approval_required: d.approval_required,
  };
}

/** Who may read the audit ledger over HTTP: members of the policy's `audit.reader_groups`. */
export function mayReadAudit(policy: CompiledPolicy, principal: Principal): boolean {
  const readers = policy.source.audit.reader_groups;
  return principal.groups.some((g) => readers.includes(g));
}
