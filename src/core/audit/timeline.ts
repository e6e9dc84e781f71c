import type { AuditEvent } from "./event.js";

/** An event as the ledger holds it: with its place in the chain. */
type Sequenced = AuditEvent & { seq: number };

const short = (value: unknown, max = 160): string => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

function describe(e: Sequenced): string[] {
  const data = e.data as Record<string, unknown>;
  switch (e.event_type) {
    case "policy_decision": {
      const stage = String(data.stage ?? "call");
      const lines = (e.decisions ?? []).map(
        (d) =>
          `    ${d.tool_name}: ${d.allowed ? "allowed" : "DENIED"} — ${d.allowed ? d.reason : d.reasons.join("; ")}${d.approval_required ? " (approval required)" : ""}`,
      );
      const policy = e.policy ? ` under policy ${e.policy.version} (${e.policy.sha256.slice(0, 12)}…)` : "";
      const args = e.tool ? ` args ${short(e.tool.args)}` : "";
      return [`decision (${stage})${policy}${args}`, ...lines];
    }
    case "tool_call":
      return [
        `tool call ${e.tool?.name} ${short(e.tool?.args, 120)} → ${e.outcome?.status}${data.duration_ms !== undefined ? ` in ${data.duration_ms} ms` : ""}`,
        ...(e.outcome?.status === "ok" ? [] : [`    ${short(e.outcome?.detail)}`]),
      ];
    case "validation_result":
      return [`validation of ${e.tool?.name} output → ${e.outcome?.status} ${short(e.validation, 120)}`];
    case "prompt_injection_detected":
      return [`retrieved content flagged as possible prompt injection: ${short(e.validation)}`];
    case "ai_agent_review_completed":
      return [
        `review completed: risk ${data.risk_rating}, ${(data.finding_rules as unknown[] | undefined)?.length ?? 0} finding(s), approval required: ${data.approval_required}`,
        ...((data.finding_rules as string[] | undefined) ?? []).map((f) => `    ${f}`),
      ];
    case "ai_agent_review_failed":
      return [`review FAILED: ${short(e.outcome?.detail)}`];
    case "approval_requested": {
      const a = e.approval as { id?: string; approvals_required?: number } | null;
      return [
        `approval requested for ${e.tool?.name} ${short(e.tool?.args, 120)}: ${a?.approvals_required ?? 1} approval(s) needed, expires ${data.expires_at}`,
        `    justification: ${short(data.justification)}; request ${a?.id}`,
      ];
    }
    case "approval_decision": {
      const who = e.actor?.user ?? "someone";
      const a = e.approval as { status?: string; approvers?: string[]; approvals_required?: number } | null;
      if (data.refused)
        return [`${who} tried to ${data.decision} via ${data.via}: REFUSED — ${data.refused}`];
      return [
        `${who} ${data.decision === "deny" ? "DENIED" : "approved"} via ${data.via}${data.comment ? ` ("${short(data.comment, 80)}")` : ""}: ${a?.approvers?.length ?? 0}/${a?.approvals_required ?? 1}, now ${a?.status}`,
      ];
    }
    case "approval_expired":
      return ["approval request EXPIRED (a timeout never approves; nothing ran)"];
    case "approval_executed":
      return [`approved call executed: ${e.tool?.name}`];
    case "approval_refused":
      return [
        `approved call NOT executed (${(e.approval as { status?: string } | null)?.status}): ${short(data.outcome)}`,
      ];
    case "kill_switch_changed":
      return e.outcome?.status === "ok"
        ? [`kill switch changed by ${e.actor?.user}: ${short(data.after)} — "${short(data.reason, 100)}"`]
        : [`kill switch change by ${e.actor?.user} REFUSED (not an admin)`];
    case "token_exchange":
      return e.outcome?.status === "ok"
        ? [`delegation ${data.delegation_id} issued: ${data.scope}`]
        : [`delegation REFUSED for ${data.agent ?? "an unauthenticated agent"}: ${short(e.outcome?.detail)}`];
    default:
      return [`${e.event_type} ${short({ outcome: e.outcome, data: e.data })}`];
  }
}

/**
 * A readable story of one run, in ledger order: who asked (identity, groups, device, agent
 * chain), what the policy decided and why, what was retrieved and called, what was validated,
 * and what came out. Pure: the caller fetches the events.
 */
export function renderTimeline(traceId: string, events: readonly Sequenced[]): string {
  if (events.length === 0) return `No events for trace ${traceId}.\n`;
  const first = events[0] as Sequenced;
  const actor = first.actor;
  const header = [
    `Trace ${traceId}: ${events.length} events, ${first.timestamp_utc} → ${(events.at(-1) as Sequenced).timestamp_utc}`,
    actor
      ? `Requested by ${actor.user} (groups: ${actor.groups.join(", ") || "none"}; device ${actor.device_compliant ? "compliant" : "NOT compliant"}; identity via ${actor.authenticated_by}${actor.agent ? `; agent ${actor.agent}` : ""}${actor.delegation_chain.length ? `; delegation ${actor.delegation_chain.join(" → ")}` : ""}${actor.delegation ? ` for "${actor.delegation.purpose}"` : ""})`
      : "Requested by: system",
    "",
  ];
  const body = events.flatMap((e) => {
    const [head, ...rest] = describe(e);
    return [`#${e.seq} ${e.timestamp_utc.slice(11, 23)}  ${head}`, ...rest];
  });
  return `${[...header, ...body].join("\n")}\n`;
}
