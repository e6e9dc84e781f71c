import type { Scope } from "../identity/scope.js";
import { actingAgent, type Principal } from "../principal.js";

/**
 * One audit event as the harness emits it, before the ledger assigns `seq` and chains it.
 * Everything here is already redacted: the builder runs arguments and outputs through the
 * redactor before an event exists, so no secret can reach the ledger or its hash.
 */
export type AuditEventType =
  | "policy_decision"
  | "tool_call"
  | "prompt_injection_detected"
  | "validation_result"
  | "ai_agent_review_completed"
  | "ai_agent_review_failed"
  | "policy_reloaded"
  | "policy_reload_rejected"
  | "audit_read"
  | "token_exchange"
  | "delegation_revoked"
  | "kill_switch_changed"
  | "approval_requested"
  | "approval_decision"
  | "approval_expired"
  | "approval_executed"
  | "approval_refused"
  | "rollback";

export interface AuditActor {
  user: string;
  groups: readonly string[];
  device_compliant: boolean;
  authenticated_by: Principal["authenticatedBy"];
  /** The agent identity, when an agent acts (identity issue); null for a human caller. */
  agent: string | null;
  /** Every identity from the human down to the acting agent; empty for a direct human call. */
  delegation_chain: readonly string[];
  /** The delegation the agent acts under (id, purpose, each hop's scope); absent for a human. */
  delegation?: {
    id: string;
    purpose: string;
    expires_at: string;
    hops: readonly { agent: string; scope: Scope }[];
  };
}

export interface AuditDecision {
  tool_name: string;
  allowed: boolean;
  reason: string;
  reasons: readonly string[];
  approval_required: boolean;
}

export interface AuditEvent {
  timestamp_utc: string;
  event_type: AuditEventType;
  trace_id: string;
  actor: AuditActor | null;
  tool: { name: string; args: unknown } | null;
  decisions: readonly AuditDecision[] | null;
  policy: { version: string; sha256: string } | null;
  model: { provider: string; model: string } | null;
  validation: unknown;
  approval: unknown;
  outcome: { status: "ok" | "denied" | "error" | "refused" | "flagged"; detail?: unknown } | null;
  /** Event-specific facts (ticket, repository, risk rating, result summaries). Redacted. */
  data: Record<string, unknown>;
}

export function actorOf(principal: Principal): AuditActor {
  const delegation = principal.delegation;
  return {
    user: principal.email,
    groups: principal.groups,
    device_compliant: principal.deviceCompliant,
    authenticated_by: principal.authenticatedBy,
    agent: actingAgent(principal),
    delegation_chain: delegation ? [principal.email, ...delegation.hops.map((h) => h.agent)] : [],
    ...(delegation
      ? {
          delegation: {
            id: delegation.id,
            purpose: delegation.purpose,
            expires_at: delegation.expiresAt,
            hops: delegation.hops,
          },
        }
      : {}),
  };
}
