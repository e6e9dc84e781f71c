import { describe, expect, it } from "vitest";
import type { AuditEvent } from "../audit/event.js";
import { OCSF_VERSION, type OcsfEvent, toOcsf } from "./ocsf.js";
import { activityOf } from "./ocsf-activity.js";
import { chainBatch, type LedgerRecord } from "./record.js";

const actor = {
  user: "engineer@zyxbank.example",
  groups: ["grp-ai-users", "grp-ai-devops-readonly"],
  device_compliant: true,
  authenticated_by: "dev-headers" as const,
  agent: null,
  delegation_chain: [],
};
const policy = { version: "2026-05-22", sha256: "ab".repeat(32) };

function event(overrides: Partial<AuditEvent>): AuditEvent {
  return {
    timestamp_utc: "2026-05-22T09:15:00.250Z",
    event_type: "tool_call",
    trace_id: "ai-20260522-0123456789ab",
    actor,
    tool: null,
    decisions: null,
    policy,
    model: null,
    validation: null,
    approval: null,
    outcome: { status: "ok" },
    data: {},
    ...overrides,
  };
}

function record(overrides: Partial<AuditEvent>): LedgerRecord {
  return chainBatch([event(overrides)], { seq: 41, hash: "cd".repeat(32) })[0]!;
}

const allow = (tool: string, approval = false) => ({
  tool_name: tool,
  allowed: true,
  reason: "authorized",
  reasons: [],
  approval_required: approval,
});
const deny = (tool: string, reason: string) => ({
  tool_name: tool,
  allowed: false,
  reason,
  reasons: [reason],
  approval_required: false,
});

/** Required by every OCSF 1.x class (base event) and by the product/metadata objects. */
function expectBaseRequired(e: OcsfEvent, r: LedgerRecord): void {
  for (const key of [
    "activity_id",
    "category_uid",
    "class_uid",
    "metadata",
    "severity_id",
    "time",
    "type_uid",
  ]) {
    expect(e, key).toHaveProperty(key);
  }
  expect(e.type_uid).toBe(e.class_uid * 100 + e.activity_id);
  expect(e.time).toBe(Date.parse(r.timestamp_utc));
  expect(e.metadata).toMatchObject({
    version: OCSF_VERSION,
    product: { name: "Bridle", vendor_name: "Bridle" },
    uid: r.hash,
    correlation_uid: r.trace_id,
    sequence: r.seq,
  });
  expect(JSON.parse(JSON.stringify(e))).toEqual(e); // plain JSON, nothing lost on the wire
}

/** API Activity 6003 requires actor, api (with operation) and src_endpoint (with a name, uid or ip). */
function expectApiActivityRequired(e: OcsfEvent): void {
  expect(e).toMatchObject({ class_uid: 6003, category_uid: 6 });
  expect(e.actor).toMatchObject({
    user: {
      email_addr: actor.user,
      name: actor.user,
      groups: [{ name: "grp-ai-users" }, { name: "grp-ai-devops-readonly" }],
    },
  });
  expect((e.api as { operation: string }).operation).toEqual(expect.any(String));
  expect(e.src_endpoint).toMatchObject({ name: expect.any(String) });
}

describe("toOcsf: tool calls → API Activity", () => {
  const r = record({
    tool: { name: "jira_read", args: { ticket: "CHG-18422" } },
    outcome: { status: "ok", detail: { key: "CHG-18422" } },
  });
  const e = toOcsf(r, { vendorName: "Bridle", productVersion: "0.1.0" });

  it("carries the required fields of the class", () => {
    expectBaseRequired(e, r);
    expectApiActivityRequired(e);
    expect(e).toMatchObject({
      activity_id: 2,
      type_uid: 600302,
      status_id: 1,
      status: "Success",
      severity_id: 1,
    });
    expect(e.metadata).toMatchObject({ product: { version: "0.1.0" } });
  });

  it("maps the tool to the API operation, its connector to the service, args to the request", () => {
    expect(e.api).toEqual({
      operation: "jira_read",
      service: { name: "jira" },
      request: { uid: r.trace_id, data: { ticket: "CHG-18422" } },
      response: { data: { key: "CHG-18422" } },
    });
  });

  it("keeps what has no OCSF home in unmapped", () => {
    expect(e.unmapped).toMatchObject({
      seq: 42,
      prev_hash: "cd".repeat(32),
      event_type: "tool_call",
      device_compliant: true,
      authenticated_by: "dev-headers",
    });
  });

  it("reports a failed call as Failure with the error code", () => {
    const failed = toOcsf(
      record({
        tool: { name: "aws_modify_security_group", args: {} },
        outcome: { status: "error", detail: { code: "UPSTREAM_ERROR", message: "boom" } },
      }),
    );
    expect(failed).toMatchObject({
      activity_id: 3,
      status_id: 2,
      severity_id: 2,
      api: { response: { error: "UPSTREAM_ERROR", error_message: "boom" } },
    });
  });
});

describe("toOcsf: call-stage decisions → API Activity with the Security Control profile", () => {
  it("a denial: Denied / Blocked, the reason as status_detail, the policy by hash", () => {
    const reason = "user does not belong to an allowed group";
    const r = record({
      event_type: "policy_decision",
      tool: { name: "slack_post_message", args: { channel: "general" } },
      decisions: [deny("slack_post_message", reason)],
      outcome: { status: "denied" },
      data: { stage: "call" },
    });
    const e = toOcsf(r);
    expectBaseRequired(e, r);
    expectApiActivityRequired(e);
    expect(e).toMatchObject({
      activity_id: 1,
      action_id: 2,
      disposition_id: 2,
      status_id: 2,
      status_detail: reason,
      severity_id: 3,
      policy: { name: "tool_policies", version: policy.version, uid: policy.sha256 },
      authorizations: [{ decision: "denied", policy: { uid: policy.sha256 } }],
    });
    expect(e.metadata.profiles).toEqual(["security_control"]);
  });

  it("an approval-gated allow: Allowed / Delayed", () => {
    const r = record({
      event_type: "policy_decision",
      tool: { name: "aws_modify_security_group", args: {} },
      decisions: [allow("aws_modify_security_group", true)],
      outcome: { status: "denied" },
      data: { stage: "call" },
    });
    expect(toOcsf(r)).toMatchObject({
      action_id: 1,
      disposition_id: 14,
      authorizations: [{ decision: "approval required" }],
    });
  });
});

describe("toOcsf: plan-stage decisions → Authorize Session", () => {
  const decisions = [
    allow("jira_read"),
    allow("github_read_pr"),
    deny("aws_modify_security_group", "user does not belong to an allowed group"),
  ];
  const r = record({
    event_type: "policy_decision",
    decisions,
    outcome: { status: "denied" },
    data: { stage: "plan", tools: decisions.map((d) => d.tool_name), workflow: "change_review" },
  });
  const e = toOcsf(r);

  it("carries the class's required user and the granted privileges", () => {
    expectBaseRequired(e, r);
    expect(e).toMatchObject({ class_uid: 3003, category_uid: 3, activity_id: 1, type_uid: 300301 });
    expect(e.user).toMatchObject({ email_addr: actor.user });
    expect(e.privileges).toEqual(["jira_read", "github_read_pr"]);
    expect(e.session).toEqual({ uid: r.trace_id });
  });

  it("lists every tool's authorization and reports the plan as denied", () => {
    expect((e.authorizations as unknown[]).length).toBe(3);
    expect(e).toMatchObject({ action_id: 2, status_id: 2, severity_id: 3 });
  });
});

describe("toOcsf: everything else → Base Event", () => {
  it("keeps the event in unmapped", () => {
    const r = record({ event_type: "ai_agent_review_completed", data: { risk: "high" } });
    const e = toOcsf(r);
    expectBaseRequired(e, r);
    expect(e).toMatchObject({
      class_uid: 0,
      category_uid: 0,
      activity_id: 99,
      unmapped: { data: { risk: "high" } },
    });
  });

  it("rates flagged injections High", () => {
    const e = toOcsf(record({ event_type: "prompt_injection_detected", outcome: { status: "flagged" } }));
    expect(e).toMatchObject({ severity_id: 4, status_id: 99, status: "Flagged" });
  });
});

describe("activityOf: the verb in a tool's name", () => {
  it.each([
    ["jira_read", 2],
    ["github_read_pr", 2],
    ["jira_add_comment", 1],
    ["slack_post_message", 1],
    ["aws_modify_security_group", 3],
    ["github_delete_branch", 4],
    ["mystery_tool", 99],
  ])("%s → %i", (name, id) => {
    expect(activityOf(name)).toBe(id);
  });
});
