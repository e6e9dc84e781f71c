import type { AuditEvent } from "../../src/core/audit/event.js";

/** A realistic tool_call event (about 850 bytes of canonical JSON); `over` replaces fields. */
export function makeEvent(over: Partial<AuditEvent> & { id?: string } = {}): AuditEvent {
  const { id, ...fields } = over;
  return {
    timestamp_utc: "2026-05-01T10:00:00.000Z",
    event_type: "tool_call",
    trace_id: "trace-0001",
    actor: {
      user: "engineer@zyxbank.example",
      groups: ["grp-ai-users", "grp-ai-devops-readonly"],
      device_compliant: true,
      authenticated_by: "dev-headers",
      agent: null,
      delegation_chain: [],
    },
    tool: { name: "jira_read", args: { ticket: "CHG-18422" } },
    decisions: [
      {
        tool_name: "jira_read",
        allowed: true,
        reason: "authorized",
        reasons: ["authorized"],
        approval_required: false,
      },
    ],
    policy: { version: "1.0", sha256: "a".repeat(64) },
    model: null,
    validation: null,
    approval: null,
    outcome: { status: "ok" },
    data: { id: id ?? "event", ticket: "CHG-18422", repository: "platform-infra", pull_request: "991" },
    ...fields,
  };
}
