import type { CompiledAgent, CompiledPolicy } from "../policy/compile.js";
import { REASONS } from "../policy/reasons.js";
import type { DelegationHop, Principal } from "../principal.js";
import { normalizeScope, type Scope, widening } from "./scope.js";

/**
 * Delegation: a human (or an agent already holding a delegation) lets an agent act for them,
 * within a scope, for a purpose, until an expiry. Every rule is here, in pure code:
 * - the agent is registered in the policy and not switched off;
 * - the scope is named explicitly and is a subset of the delegator's and of the agent's own;
 * - the expiry is no later than the delegator's (a child never outlives its parent);
 * - a sub-delegation keeps the purpose and adds one hop, up to a maximum depth;
 * - nobody widens anything: a refused request says exactly which items widened.
 */
export interface DelegationLimits {
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  maxDepth: number;
}

export interface DelegationRequest {
  /** The agent that will act (its identity: spiffe://… or oauth-client:…). */
  actor: string;
  scope: Scope | null;
  purpose?: string;
  /** Requested lifetime in seconds. */
  expiresIn?: number;
}

export interface Delegator {
  /** The human, with the delegation it already carries when an agent delegates onwards. */
  principal: Principal;
  /** When the delegator's own credential expires (epoch seconds). */
  expiresAt: number;
}

export interface PlannedDelegation {
  hops: DelegationHop[];
  purpose: string;
  scope: Scope;
  issuedAt: number;
  expiresAt: number;
}

/** RFC 6749 §5.2 / RFC 8693 §2.2.2 error codes. */
export type DelegationErrorCode =
  | "invalid_request"
  | "invalid_scope"
  | "invalid_grant"
  | "unauthorized_client";

export type DelegationPlan =
  | { ok: true; delegation: PlannedDelegation }
  | { ok: false; error: DelegationErrorCode; message: string };

const PURPOSE = /^[^\p{Cc}]{1,200}$/u;

export function planDelegation(
  policy: CompiledPolicy,
  workflows: readonly string[],
  delegator: Delegator,
  request: DelegationRequest,
  now: number,
  limits: DelegationLimits,
): DelegationPlan {
  const refuse = (error: DelegationErrorCode, message: string): DelegationPlan => ({
    ok: false,
    error,
    message,
  });
  const { principal } = delegator;
  const parentHops = principal.delegation?.hops ?? [];

  const agent = policy.agents.get(request.actor);
  if (!agent) return refuse("unauthorized_client", REASONS.agentNotRegistered);
  const switchedOff = switchedOffIdentity(policy, principal, agent, parentHops);
  if (switchedOff) return refuse("invalid_grant", switchedOff);
  if (parentHops.some((hop) => hop.agent === agent.identity))
    return refuse("invalid_request", "the agent is already in this delegation chain");
  if (parentHops.length + 1 > limits.maxDepth)
    return refuse("invalid_request", `a delegation chain has at most ${limits.maxDepth} agents`);

  if (!request.scope)
    return refuse("invalid_scope", "scope is required: name every tool, workflow and account");
  const scope = normalizeScope(request.scope);
  const parentScope = parentHops.at(-1)?.scope ?? userScope(policy, principal, workflows);
  const widerThanParent = widening(scope, parentScope);
  if (widerThanParent.length > 0)
    return refuse("invalid_scope", `scope widens the delegator's: ${widerThanParent.join(" ")}`);
  const widerThanAgent = widening(scope, agent.scope);
  if (widerThanAgent.length > 0)
    return refuse(
      "invalid_scope",
      `scope exceeds agent ${agent.name}'s registered scope: ${widerThanAgent.join(" ")}`,
    );

  const parentPurpose = principal.delegation?.purpose;
  const purpose = request.purpose ?? parentPurpose;
  if (purpose === undefined || !PURPOSE.test(purpose))
    return refuse("invalid_request", "purpose is required: one line of at most 200 characters");
  if (parentPurpose !== undefined && purpose !== parentPurpose)
    return refuse("invalid_request", "a sub-delegation keeps its parent's purpose");

  if (delegator.expiresAt <= now) return refuse("invalid_grant", "the subject token has expired");
  let expiresAt: number;
  if (request.expiresIn !== undefined) {
    if (
      !Number.isInteger(request.expiresIn) ||
      request.expiresIn < 1 ||
      request.expiresIn > limits.maxTtlSeconds
    )
      return refuse("invalid_request", `expires_in must be an integer from 1 to ${limits.maxTtlSeconds}`);
    expiresAt = now + request.expiresIn;
    if (expiresAt > delegator.expiresAt)
      return refuse(
        "invalid_request",
        `the delegation would outlive its parent, which expires at ${new Date(delegator.expiresAt * 1000).toISOString()}`,
      );
  } else {
    expiresAt = Math.min(now + limits.defaultTtlSeconds, delegator.expiresAt);
  }

  return {
    ok: true,
    delegation: {
      hops: [...parentHops, { agent: agent.identity, scope }],
      purpose,
      scope,
      issuedAt: now,
      expiresAt,
    },
  };
}

/**
 * The most a human may delegate: the tools their groups are allowed, the accounts those tools
 * may name, and the workflows Bridle runs. (Device posture and per-call rules are still checked
 * by the gateway on every call.)
 */
export function userScope(policy: CompiledPolicy, principal: Principal, workflows: readonly string[]): Scope {
  const tools: string[] = [];
  const accounts: string[] = [];
  for (const tool of policy.tools.values()) {
    if (!principal.groups.some((g) => tool.allowedGroups.has(g))) continue;
    tools.push(tool.name);
    if (tool.allowedAccounts) accounts.push(...tool.allowedAccounts);
  }
  return normalizeScope({ tools, workflows, accounts });
}

function switchedOffIdentity(
  policy: CompiledPolicy,
  principal: Principal,
  agent: CompiledAgent,
  hops: readonly DelegationHop[],
): string | null {
  const off = policy.killSwitch.disabledUsers;
  if (off.has(principal.email.toLowerCase())) return REASONS.userDisabled;
  for (const identity of [...hops.map((h) => h.agent), agent.identity]) {
    const name = policy.agents.get(identity)?.name;
    if (off.has(identity.toLowerCase()) || (name !== undefined && off.has(name)))
      return REASONS.agentDisabled;
  }
  return null;
}
