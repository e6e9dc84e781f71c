import type { AuditEvent, AuditEventType } from "../core/audit/event.js";
import { actorOf } from "../core/audit/event.js";
import type { Decision } from "../core/policy/gateway.js";
import type { Principal } from "../core/principal.js";
import { redactDeep } from "../core/validation/redact.js";
import type { Clock } from "./deps.js";

/** Who is acting, in which trace, on behalf of which workflow. */
export interface CallContext {
  principal: Principal;
  traceId: string;
  workflow?: string;
}

/**
 * Builds an event with every field present (null when it does not apply) and everything that
 * came from a caller or an upstream redacted, so the ledger never sees a secret.
 */
export function buildEvent(
  clock: Clock,
  ctx: CallContext,
  type: AuditEventType,
  fields: Partial<Omit<AuditEvent, "timestamp_utc" | "event_type" | "trace_id" | "actor">>,
): AuditEvent {
  return {
    timestamp_utc: clock.now().toISOString(),
    event_type: type,
    trace_id: ctx.traceId,
    actor: actorOf(ctx.principal),
    tool: fields.tool ? { name: fields.tool.name, args: redactDeep(fields.tool.args) } : null,
    decisions: fields.decisions ?? null,
    policy: fields.policy ?? null,
    model: fields.model ?? null,
    validation: fields.validation === undefined ? null : redactDeep(fields.validation),
    approval: fields.approval ?? null,
    outcome: fields.outcome ? redactDeep(fields.outcome) : null,
    data: redactDeep({ ...(ctx.workflow ? { workflow: ctx.workflow } : {}), ...(fields.data ?? {}) }),
  };
}

export function auditDecision(d: Decision) {
  return {
    tool_name: d.tool_name,
    allowed: d.allowed,
    reason: d.reason,
    reasons: d.reasons,
    approval_required: d.approval_required,
  };
}

export function policyRef(d: Decision) {
  return { version: d.policy_version, sha256: d.policy_sha256 };
}
