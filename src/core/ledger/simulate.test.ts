import { describe, expect, it } from "vitest";
import { auditDecision, buildEvent, type CallContext, policyRef } from "../../harness/audit-events.js";
import type { AuditEvent } from "../audit/event.js";
import type { CompiledPolicy } from "../policy/compile.js";
import { compileKillSwitch } from "../policy/compile.js";
import { decide } from "../policy/gateway.js";
import { REASONS } from "../policy/reasons.js";
import { KillSwitchSchema, type PolicyFile } from "../policy/schema.js";
import { policyFromText, referencePolicy, user } from "../policy/test-support.js";
import type { Principal } from "../principal.js";
import { chainBatch, type LedgerRecord } from "./record.js";
import { simulatePolicy } from "./simulate.js";
import { UNCERTAIN } from "./simulate-input.js";

/**
 * Records are written the way the tool runner writes them (same builder, real decisions from
 * the gateway), so the simulator is tested against the ledger's actual shape.
 */
const reference = referencePolicy();
const clock = { now: () => new Date("2026-05-22T09:00:00.000Z") };
const devops = user({ email: "devops@zyxbank.example", groups: ["grp-ai-devops-readonly"] });
const security = user({ email: "sec@zyxbank.example", groups: ["grp-ai-security-readonly"] });
const reviewer = user({ email: "rev@zyxbank.example", groups: ["grp-ai-cloud-change-reviewers"] });
const intern = user({ email: "intern@zyxbank.example", groups: ["grp-ai-users"] });
const goodWrite = {
  account: "development",
  security_group_id: "sg-1",
  change_ticket: "CHG-18422",
  rollback_plan: "revert",
};

function ctx(principal: Principal, workflow?: string): CallContext {
  return { principal, traceId: "ai-20260522-0123456789ab", ...(workflow ? { workflow } : {}) };
}

function callEvent(
  principal: Principal,
  tool: string,
  args: Record<string, unknown>,
  policy = reference,
): AuditEvent {
  const d = decide(policy, { principal, tool, args });
  return buildEvent(clock, ctx(principal), "policy_decision", {
    tool: { name: tool, args },
    decisions: [auditDecision(d)],
    policy: policyRef(d),
    outcome: { status: d.allowed && !d.approval_required ? "ok" : "denied" },
    data: { stage: "call" },
  });
}

function planEvent(principal: Principal, tools: string[], workflow = "change_review"): AuditEvent {
  const decisions = tools.map((tool) => decide(reference, { principal, tool, workflow }));
  return buildEvent(clock, ctx(principal, workflow), "policy_decision", {
    decisions: decisions.map(auditDecision),
    policy: policyRef(decisions[0]!),
    outcome: { status: decisions.every((d) => d.allowed) ? "ok" : "denied" },
    data: { stage: "plan", tools },
  });
}

const PLAN = [
  "jira_read",
  "github_read_pr",
  "confluence_read",
  "aws_dev_read",
  "jira_add_comment",
  "slack_post_message",
];

const ledger: LedgerRecord[] = chainBatch(
  [
    planEvent(devops, PLAN),
    callEvent(devops, "jira_read", { ticket: "CHG-18422" }),
    callEvent(devops, "aws_dev_read", { account: "development" }),
    callEvent(devops, "slack_post_message", { channel: "devsecops-change-review", text: "ok" }),
    callEvent(security, "jira_read", { ticket: "CHG-18422" }),
    callEvent(intern, "jira_read", { ticket: "CHG-18422" }),
    callEvent(reviewer, "aws_modify_security_group", goodWrite),
    buildEvent(clock, ctx(devops), "tool_call", {
      tool: { name: "jira_read", args: {} },
      outcome: { status: "ok" },
    }),
  ],
  null,
);

/** The reference policy with an edit, written out and parsed back as a candidate file would be. */
function candidate(edit: (policy: PolicyFile) => void): CompiledPolicy {
  const copy = structuredClone(reference.source);
  edit(copy);
  return policyFromText(JSON.stringify(copy)); // JSON is YAML
}

function tool(policy: PolicyFile, name: string): PolicyFile["tools"][string] {
  const found = policy.tools[name];
  if (!found) throw new Error(`no tool ${name} in the reference policy`);
  return found;
}

describe("simulatePolicy: replaying through the same policy", () => {
  it("reproduces every recorded decision", () => {
    const report = simulatePolicy(ledger, reference);
    expect(report).toMatchObject({
      records_scanned: 8,
      decisions_replayed: PLAN.length + 6,
      unchanged: PLAN.length + 6,
      changes: [],
      reason_changes: [],
      skipped: 0,
    });
    expect(report.counts.total).toBe(0);
  });
});

describe("simulatePolicy: the four kinds of change, counted per tool and user", () => {
  it("allow → deny when a group loses a tool", () => {
    const policy = candidate((p) => {
      tool(p, "jira_read").allowed_groups = ["grp-ai-security-readonly"];
    });
    const report = simulatePolicy(ledger, policy);
    expect(report.counts).toMatchObject({ allow_to_deny: 2, total: 2 });
    expect(report.changes.map((c) => [c.seq, c.stage, c.tool, c.user])).toEqual([
      [1, "plan", "jira_read", devops.email],
      [2, "call", "jira_read", devops.email],
    ]);
    expect(report.changes[0]!.after.reasons).toEqual([REASONS.groupNotAllowed]);
    expect(report.changes[0]!.before).toMatchObject({ allowed: true, reason: "authorized" });
    expect(report.by_tool).toEqual([
      {
        tool: "jira_read",
        allow_to_deny: 2,
        deny_to_allow: 0,
        approval_added: 0,
        approval_removed: 0,
        total: 2,
      },
    ]);
    expect(report.by_user).toEqual([
      {
        user: devops.email,
        allow_to_deny: 2,
        deny_to_allow: 0,
        approval_added: 0,
        approval_removed: 0,
        total: 2,
      },
    ]);
  });

  it("deny → allow when a group gains a tool", () => {
    const policy = candidate((p) => {
      tool(p, "jira_read").allowed_groups.push("grp-ai-users");
    });
    const report = simulatePolicy(ledger, policy);
    expect(report.counts).toMatchObject({ deny_to_allow: 1, total: 1 });
    expect(report.changes[0]).toMatchObject({
      seq: 6,
      user: intern.email,
      kind: "deny_to_allow",
      uncertain: false,
    });
  });

  it("approval added and approval removed", () => {
    const policy = candidate((p) => {
      tool(p, "jira_add_comment").approval_required = true;
      tool(p, "aws_modify_security_group").approval_required = false;
    });
    const report = simulatePolicy(ledger, policy);
    expect(report.counts).toMatchObject({ approval_added: 1, approval_removed: 1, total: 2 });
    expect(report.changes.map((c) => [c.tool, c.kind])).toEqual([
      ["jira_add_comment", "approval_added"],
      ["aws_modify_security_group", "approval_removed"],
    ]);
    expect(report.by_user.map((u) => u.user).sort()).toEqual([devops.email, reviewer.email].sort());
  });

  it("lists a change of reasons alone as secondary", () => {
    const policy = candidate((p) => {
      p.tools.jira_read_v2 = tool(p, "jira_read");
      delete p.tools.jira_read;
      // A registered agent may only name defined tools: the rename reaches it too.
      for (const agent of Object.values(p.agents))
        agent.tools = agent.tools.map((t) => (t === "jira_read" ? "jira_read_v2" : t));
    });
    const report = simulatePolicy(ledger, policy);
    const intern6 = report.reason_changes.find((c) => c.seq === 6);
    expect(intern6).toMatchObject({ kind: "reasons_changed", before: { reason: REASONS.groupNotAllowed } });
    expect(intern6?.after.reasons).toEqual([REASONS.toolUndefined]);
    expect(report.counts.allow_to_deny).toBe(3);
  });
});

describe("simulatePolicy: what the ledger cannot tell is flagged, not guessed", () => {
  it("a change on redacted arguments is uncertain", () => {
    const redacted = chainBatch(
      [callEvent(devops, "slack_post_message", { channel: "[REDACTED:slack_token]" })],
      null,
    );
    const report = simulatePolicy(redacted, reference);
    // Recorded as denied on the redacted value itself here; make the candidate allow any channel.
    const open = candidate((p) => {
      delete tool(p, "slack_post_message").allowed_channels;
    });
    const changed = simulatePolicy(redacted, open);
    expect(report.changes).toEqual([]);
    expect(changed.changes[0]).toMatchObject({
      kind: "deny_to_allow",
      uncertain: true,
      uncertain_because: [UNCERTAIN.redactedArgs],
    });
    expect(changed.uncertain).toBe(1);
  });

  it("a denial by the runtime kill switch (not recorded) that the replay lifts is uncertain", () => {
    const runtime = compileKillSwitch(KillSwitchSchema.parse({ read_only_mode: true }));
    const d = decide(reference, {
      principal: devops,
      tool: "jira_add_comment",
      args: { issue: "CHG-1" },
      runtimeKillSwitch: runtime,
    });
    expect(d.reasons).toContain(REASONS.readOnly);
    const event = buildEvent(clock, ctx(devops), "policy_decision", {
      tool: { name: "jira_add_comment", args: { issue: "CHG-1" } },
      decisions: [auditDecision(d)],
      policy: policyRef(d),
      outcome: { status: "denied" },
      data: { stage: "call" },
    });
    const report = simulatePolicy(chainBatch([event], null), reference);
    expect(report.changes[0]).toMatchObject({
      kind: "deny_to_allow",
      uncertain: true,
      uncertain_because: [UNCERTAIN.runtimeKillSwitch],
    });
    const withSwitch = simulatePolicy(chainBatch([event], null), reference, { runtimeKillSwitch: runtime });
    expect(withSwitch.changes).toEqual([]);
  });

  it("skips decision records it cannot replay, and ignores other events", () => {
    const [decision] = chainBatch([callEvent(devops, "jira_read", {})], null);
    const anonymous = { ...decision!, actor: null };
    const empty = { ...decision!, seq: 2, decisions: [] };
    const report = simulatePolicy([anonymous, empty, ledger[7]!], reference);
    expect(report).toMatchObject({ records_scanned: 3, decisions_replayed: 0, skipped: 2 });
    expect(report.skipped_examples).toEqual([
      { seq: 1, reason: "no actor recorded" },
      { seq: 2, reason: "no decisions recorded" },
    ]);
  });
});
