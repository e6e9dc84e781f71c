import type { AuditDecision } from "../audit/event.js";
import { defaultConnector } from "../policy/compile.js";
import { activityOf, OCSF_ACTIVITY_OTHER } from "./ocsf-activity.js";
import type { LedgerRecord } from "./record.js";

/**
 * Ledger records as OCSF 1.6.0 events, for SIEMs (`bridle audit export --format ocsf`).
 *
 * Which class, and why:
 * - `tool_call` → API Activity (6003, Application Activity): a tool call is one CRUD call on an
 *   upstream API (Jira, GitHub, AWS …) made by Bridle on behalf of the actor.
 * - `policy_decision`, call stage (and `validation_result`) → API Activity with the Security
 *   Control profile (`action_id`, `disposition_id`, `authorizations[]`, `policy`). OCSF has no
 *   class for "a policy engine decided on this call"; it records access-control outcomes as
 *   that profile on the activity being controlled, which keeps a decision and the call it
 *   gated in one class, searchable by the same `api.operation`.
 * - `policy_decision`, plan stage → Authorize Session (3003, Identity & Access Management): at
 *   the start of a workflow run (the session, uid = trace id) the gateway decides which tools
 *   the run may use — the privileges granted to that session, which is what the class reports.
 *   Per-call decisions do not fit it (they are not about a session's grants), hence the split.
 * - everything else (review completed/failed, injection flagged, policy reloads) → Base Event
 *   (class 0) with `message`, status and the record in `unmapped`.
 *
 * Always set: `metadata` {version, product, uid = record hash, correlation_uid = trace id,
 * sequence = seq}, `time` (ms epoch), `severity_id`, `type_uid`; and `unmapped` holds every
 * field that has no OCSF home, so nothing in the ledger is lost on the way to the SIEM.
 */
export const OCSF_VERSION = "1.6.0";

export interface OcsfOptions {
  vendorName?: string;
  /** Bridle's version, for metadata.product.version. */
  productVersion?: string;
}

export type OcsfEvent = Record<string, unknown> & {
  class_uid: number;
  category_uid: number;
  activity_id: number;
  type_uid: number;
  time: number;
  severity_id: number;
  metadata: Record<string, unknown>;
};

const API_ACTIVITY = {
  class_uid: 6003,
  category_uid: 6,
  class_name: "API Activity",
  category_name: "Application Activity",
};
const AUTHORIZE_SESSION = {
  class_uid: 3003,
  category_uid: 3,
  class_name: "Authorize Session",
  category_name: "Identity & Access Management",
};
const BASE_EVENT = {
  class_uid: 0,
  category_uid: 0,
  class_name: "Base Event",
  category_name: "Uncategorized",
};
const ASSIGN_PRIVILEGES = 1;

export function toOcsf(record: LedgerRecord, options: OcsfOptions = {}): OcsfEvent {
  if (record.event_type === "policy_decision") {
    return record.data.stage === "plan" || !record.tool
      ? planDecision(record, options)
      : callDecision(record, options);
  }
  if (record.tool && (record.event_type === "tool_call" || record.event_type === "validation_result")) {
    return apiCall(record, options);
  }
  return baseEvent(record, options);
}

function apiCall(record: LedgerRecord, options: OcsfOptions): OcsfEvent {
  const tool = record.tool as { name: string; args: unknown };
  const controlled = record.event_type === "validation_result";
  const event = common(record, API_ACTIVITY, activityOf(tool.name), options, controlled);
  Object.assign(event, api(record, tool), {
    src_endpoint: BRIDLE_ENDPOINT,
    unmapped: unmapped(record, { tool: true }),
  });
  if (controlled) {
    const passed = record.outcome?.status === "ok";
    Object.assign(event, control(passed, false), { policy: policyObject(record) });
  }
  return event;
}

function callDecision(record: LedgerRecord, options: OcsfOptions): OcsfEvent {
  const tool = record.tool as { name: string; args: unknown };
  const decision = record.decisions?.[0];
  const event = common(record, API_ACTIVITY, activityOf(tool.name), options, true);
  const allowed = decision?.allowed === true;
  return Object.assign(event, api(record, tool), control(allowed, decision?.approval_required === true), {
    src_endpoint: BRIDLE_ENDPOINT,
    authorizations: decision ? [authorization(decision, record)] : [],
    policy: policyObject(record),
    message: `${actorName(record)} → ${tool.name}: ${decision?.reason ?? "no decision recorded"}`,
    unmapped: unmapped(record, { tool: true }),
  });
}

function planDecision(record: LedgerRecord, options: OcsfOptions): OcsfEvent {
  const decisions = record.decisions ?? [];
  const event = common(record, AUTHORIZE_SESSION, ASSIGN_PRIVILEGES, options, true);
  const allAllowed = decisions.length > 0 && decisions.every((d) => d.allowed);
  const denied = decisions.filter((d) => !d.allowed);
  return Object.assign(event, control(allAllowed, false), {
    user: userObject(record),
    session: { uid: record.trace_id },
    privileges: decisions.filter((d) => d.allowed).map((d) => d.tool_name),
    authorizations: decisions.map((d) => authorization(d, record)),
    policy: policyObject(record),
    message: `${actorName(record)} plan: ${decisions.length - denied.length} of ${decisions.length} tools authorized`,
    unmapped: unmapped(record, {}),
  });
}

function baseEvent(record: LedgerRecord, options: OcsfOptions): OcsfEvent {
  const event = common(record, BASE_EVENT, OCSF_ACTIVITY_OTHER, options, false);
  return Object.assign(event, {
    activity_name: record.event_type,
    message: record.event_type.replaceAll("_", " "),
    unmapped: unmapped(record, { tool: true }),
  });
}

type ClassInfo = typeof API_ACTIVITY;

function common(
  record: LedgerRecord,
  cls: ClassInfo,
  activityId: number,
  options: OcsfOptions,
  control: boolean,
): OcsfEvent {
  const time = Date.parse(record.timestamp_utc);
  const event: OcsfEvent = {
    ...cls,
    activity_id: activityId,
    type_uid: cls.class_uid * 100 + activityId,
    time: Number.isFinite(time) ? time : 0,
    severity_id: severityOf(record),
    ...statusOf(record),
    metadata: {
      version: OCSF_VERSION,
      product: {
        name: "Bridle",
        vendor_name: options.vendorName ?? "Bridle",
        ...(options.productVersion ? { version: options.productVersion } : {}),
      },
      uid: record.hash,
      correlation_uid: record.trace_id,
      sequence: record.seq,
      event_code: record.event_type,
      log_name: "audit_events",
      original_time: record.timestamp_utc,
      ...(control ? { profiles: ["security_control"] } : {}),
    },
  };
  if (record.actor) event.actor = actorObject(record);
  return event;
}

/** The ledger does not record the caller's address; the source of every upstream call is Bridle. */
const BRIDLE_ENDPOINT = { name: "bridle" };

function api(record: LedgerRecord, tool: { name: string; args: unknown }) {
  const detail = record.outcome?.detail as { code?: unknown; message?: unknown } | undefined;
  return {
    api: {
      operation: tool.name,
      service: { name: defaultConnector(tool.name) },
      request: { uid: record.trace_id, data: tool.args },
      ...(record.event_type === "tool_call" && record.outcome
        ? {
            response:
              record.outcome.status === "ok"
                ? { data: record.outcome.detail }
                : {
                    error: String(detail?.code ?? record.outcome.status),
                    error_message: String(detail?.message ?? ""),
                  },
          }
        : {}),
    },
  };
}

/** Security Control profile: Allowed/Denied, and "Delayed" when a human approval must come first. */
function control(allowed: boolean, approvalRequired: boolean) {
  if (!allowed) return { action_id: 2, action: "Denied", disposition_id: 2, disposition: "Blocked" };
  if (approvalRequired)
    return { action_id: 1, action: "Allowed", disposition_id: 14, disposition: "Delayed" };
  return { action_id: 1, action: "Allowed", disposition_id: 1, disposition: "Allowed" };
}

function authorization(d: AuditDecision, record: LedgerRecord) {
  const decision = !d.allowed ? "denied" : d.approval_required ? "approval required" : "allowed";
  return {
    decision,
    policy: { ...policyObject(record), desc: `${d.tool_name}: ${d.reasons.join("; ") || d.reason}` },
  };
}

function policyObject(record: LedgerRecord) {
  return record.policy
    ? { name: "tool_policies", version: record.policy.version, uid: record.policy.sha256 }
    : { name: "tool_policies" };
}

function actorObject(record: LedgerRecord) {
  const agent = record.actor?.agent;
  return { user: userObject(record), ...(agent ? { app_name: agent } : {}) };
}

function userObject(record: LedgerRecord) {
  const actor = record.actor;
  if (!actor) return { name: "unknown" };
  return {
    name: actor.user,
    uid: actor.user,
    email_addr: actor.user,
    groups: actor.groups.map((name) => ({ name })),
  };
}

function actorName(record: LedgerRecord): string {
  return record.actor?.user ?? "unknown";
}

const STATUS: Record<string, { status_id: number; status: string }> = {
  ok: { status_id: 1, status: "Success" },
  denied: { status_id: 2, status: "Failure" },
  refused: { status_id: 2, status: "Failure" },
  error: { status_id: 2, status: "Failure" },
  flagged: { status_id: 99, status: "Flagged" },
};

function statusOf(record: LedgerRecord) {
  const status = record.outcome ? STATUS[record.outcome.status] : undefined;
  if (!status) return { status_id: 0, status: "Unknown" };
  const denial = record.decisions?.find((d) => !d.allowed);
  return {
    ...status,
    status_code: record.outcome?.status,
    ...(denial ? { status_detail: denial.reason } : {}),
  };
}

/** Informational for what went through; Medium for refusals; High for flagged content. */
function severityOf(record: LedgerRecord): number {
  switch (record.outcome?.status) {
    case "denied":
    case "refused":
      return 3;
    case "error":
      return 2;
    case "flagged":
      return 4;
    default:
      return record.event_type === "prompt_injection_detected" ? 4 : 1;
  }
}

/** Everything without an OCSF home, under its ledger name. */
function unmapped(record: LedgerRecord, mapped: { tool?: boolean }) {
  const actor = record.actor;
  return {
    seq: record.seq,
    prev_hash: record.prev_hash,
    event_type: record.event_type,
    ...(mapped.tool ? {} : { tool: record.tool }),
    decisions: record.decisions,
    policy: record.policy,
    model: record.model,
    validation: record.validation,
    approval: record.approval,
    outcome: record.outcome,
    data: record.data,
    ...(actor
      ? {
          device_compliant: actor.device_compliant,
          authenticated_by: actor.authenticated_by,
          delegation_chain: actor.delegation_chain,
          ...(actor.delegation ? { delegation: actor.delegation } : {}),
        }
      : {}),
  };
}
