import { describe, expect, it } from "vitest";
import { compileKillSwitch } from "./compile.js";
import { decide, isProduction } from "./gateway.js";
import { REASONS } from "./reasons.js";
import { KillSwitchSchema } from "./schema.js";
import { policyFromText, referencePolicy, user } from "./test-support.js";

const policy = referencePolicy();
const reviewer = user({ groups: ["grp-ai-cloud-change-reviewers"] });
const goodWrite = {
  account: "development",
  security_group_id: "sg-1",
  change_ticket: "CHG-18422",
  rollback_plan: "revoke the rule",
};

function withKillSwitch(ks: string) {
  const text = `version: "t1"\nkill_switch:\n${ks}\ntools:\n  jira_read: { allowed_groups: [g], write: false }\n  jira_add_comment: { allowed_groups: [g], write: true }\n`;
  return policyFromText(text);
}
const g = user({ groups: ["g"] });

describe("decide: the reference's order and reason strings", () => {
  it("authorizes a devops user on a compliant device", () => {
    const d = decide(policy, { principal: user(), tool: "jira_read" });
    expect(d).toMatchObject({ allowed: true, reason: "authorized", reasons: [], approval_required: false });
    expect(d.policy_version).toBe("2026-05-22");
    expect(d.policy_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a user outside every allowed group", () => {
    const d = decide(policy, { principal: user({ groups: ["grp-ai-users"] }), tool: "jira_read" });
    expect(d).toMatchObject({ allowed: false, reason: "user does not belong to an allowed group" });
  });

  it("refuses a non-compliant device", () => {
    const d = decide(policy, { principal: user({ deviceCompliant: false }), tool: "jira_read" });
    expect(d).toMatchObject({ allowed: false, reason: "device is not compliant" });
  });

  it("reports the group before the device, and both reasons", () => {
    const d = decide(policy, { principal: user({ groups: [], deviceCompliant: false }), tool: "jira_read" });
    expect(d.reason).toBe(REASONS.groupNotAllowed);
    expect(d.reasons).toEqual([REASONS.groupNotAllowed, REASONS.deviceNotCompliant]);
  });

  it("refuses a tool the policy does not define, with approval_required false", () => {
    const d = decide(policy, { principal: user(), tool: "execute_shell" });
    expect(d).toMatchObject({
      allowed: false,
      reason: "tool is not defined in policy",
      approval_required: false,
    });
    expect(d.risk).toBeNull();
  });

  it("keeps approval_required from the tool on group and device denials, as the reference does", () => {
    const d = decide(policy, { principal: user(), tool: "aws_modify_security_group" });
    expect(d).toMatchObject({ allowed: false, reason: REASONS.groupNotAllowed, approval_required: true });
  });

  it("marks approval-required tools as such when authorized", () => {
    const d = decide(policy, { principal: reviewer, tool: "aws_modify_security_group", args: goodWrite });
    expect(d).toMatchObject({
      allowed: true,
      approval_required: true,
      approval_groups: ["grp-ai-prod-approvers"],
    });
  });
});

describe("decide: kill switch", () => {
  it("disabled user comes first, case-insensitively", () => {
    const p = withKillSwitch("  disabled_users: [Engineer@ZYXBank.example]\n  read_only_mode: true");
    const d = decide(p, { principal: user({ groups: ["g"] }), tool: "jira_add_comment" });
    expect(d.reason).toBe(REASONS.userDisabled);
    expect(d.reasons).toEqual([REASONS.userDisabled, REASONS.readOnly]);
    expect(d.approval_required).toBe(false);
  });

  it("disables a connector by tool name (the reference) and by connector name", () => {
    expect(
      decide(withKillSwitch("  disabled_connectors: [jira_read]"), { principal: g, tool: "jira_read" })
        .reason,
    ).toBe(REASONS.connectorDisabled);
    const byConnector = withKillSwitch("  disabled_connectors: [jira]");
    expect(decide(byConnector, { principal: g, tool: "jira_add_comment" }).reason).toBe(
      REASONS.connectorDisabled,
    );
  });

  it("all_write_tools_disabled blocks writes only", () => {
    const p = withKillSwitch("  all_write_tools_disabled: true");
    expect(decide(p, { principal: g, tool: "jira_add_comment" }).reason).toBe(REASONS.allWritesDisabled);
    expect(decide(p, { principal: g, tool: "jira_read" }).allowed).toBe(true);
  });

  it("read_only_mode blocks writes only", () => {
    const p = withKillSwitch("  read_only_mode: true");
    expect(decide(p, { principal: g, tool: "jira_add_comment" }).reason).toBe(REASONS.readOnly);
    expect(decide(p, { principal: g, tool: "jira_read" }).allowed).toBe(true);
  });

  it("a kill switch refuses even undefined tools first, then says the tool is undefined", () => {
    const p = withKillSwitch("  disabled_users: [engineer@zyxbank.example]");
    const d = decide(p, { principal: g, tool: "nope" });
    expect(d.reasons).toEqual([REASONS.userDisabled, REASONS.toolUndefined]);
  });

  it("disabled_workflows refuses calls made on behalf of that workflow", () => {
    const p = withKillSwitch("  disabled_workflows: [change_review]");
    expect(decide(p, { principal: g, tool: "jira_read", workflow: "change_review" }).reason).toBe(
      REASONS.workflowDisabled,
    );
    expect(decide(p, { principal: g, tool: "jira_read", workflow: "other" }).allowed).toBe(true);
  });

  it("the runtime switch adds to the file's and cannot lift it", () => {
    const runtime = compileKillSwitch(KillSwitchSchema.parse({ read_only_mode: true }));
    expect(
      decide(policy, { principal: user(), tool: "jira_add_comment", runtimeKillSwitch: runtime }).reason,
    ).toBe(REASONS.readOnly);
    const fileOn = withKillSwitch("  all_write_tools_disabled: true");
    const runtimeOff = compileKillSwitch(KillSwitchSchema.parse({}));
    expect(
      decide(fileOn, { principal: g, tool: "jira_add_comment", runtimeKillSwitch: runtimeOff }).allowed,
    ).toBe(false);
  });
});

describe("decide: controls the reference declared but never enforced", () => {
  it("allowed_accounts: refuses an account outside the list, and a missing account", () => {
    const base = { principal: user(), tool: "aws_dev_read" };
    expect(decide(policy, { ...base, args: { account: "development" } }).allowed).toBe(true);
    expect(decide(policy, { ...base, args: { account: "staging" } }).reason).toBe(REASONS.accountNotAllowed);
    expect(decide(policy, { ...base, args: {} }).reason).toBe(REASONS.accountNotAllowed);
    expect(decide(policy, { ...base, args: { account: ["development"] } }).reason).toBe(
      REASONS.accountNotAllowed,
    );
  });

  it("production_allowed: false refuses production by account or environment", () => {
    const base = { principal: reviewer, tool: "aws_modify_security_group" };
    const prod = decide(policy, { ...base, args: { ...goodWrite, account: "production" } });
    expect(prod.reasons).toEqual([REASONS.accountNotAllowed, REASONS.productionNotAllowed]);
    const env = decide(policy, { ...base, args: { ...goodWrite, environment: "prod" } });
    expect(env.reasons).toEqual([REASONS.productionNotAllowed]);
  });

  it("allowed_channels: only listed channels, with or without #", () => {
    const base = { principal: user(), tool: "slack_post_message" };
    expect(decide(policy, { ...base, args: { channel: "devsecops-change-review" } }).allowed).toBe(true);
    expect(decide(policy, { ...base, args: { channel: "#devsecops-change-review" } }).allowed).toBe(true);
    expect(decide(policy, { ...base, args: { channel: "general" } }).reason).toBe(REASONS.channelNotAllowed);
    expect(decide(policy, { ...base, args: {} }).reason).toBe(REASONS.channelNotAllowed);
  });

  it("change_ticket_required: missing, blank, or not found", () => {
    const base = { principal: reviewer, tool: "aws_modify_security_group" };
    expect(decide(policy, { ...base, args: { ...goodWrite, change_ticket: undefined } }).reasons).toEqual([
      REASONS.changeTicketRequired,
    ]);
    expect(decide(policy, { ...base, args: { ...goodWrite, change_ticket: "  " } }).reason).toBe(
      REASONS.changeTicketRequired,
    );
    const missing = decide(policy, { ...base, args: goodWrite, facts: { changeTicketExists: false } });
    expect(missing.reason).toBe(REASONS.changeTicketNotFound);
  });

  it("rollback_plan_required: missing or blank", () => {
    const base = { principal: reviewer, tool: "aws_modify_security_group" };
    expect(decide(policy, { ...base, args: { ...goodWrite, rollback_plan: "" } }).reason).toBe(
      REASONS.rollbackPlanRequired,
    );
    expect(decide(policy, { ...base, args: { ...goodWrite, rollback_plan: 7 } }).reason).toBe(
      REASONS.rollbackPlanRequired,
    );
  });

  it("a plan-level check (no args) does not evaluate argument controls", () => {
    expect(decide(policy, { principal: user(), tool: "slack_post_message" }).allowed).toBe(true);
  });
});

describe("isProduction", () => {
  it.each([
    ["production", true],
    ["prod", true],
    ["Prod-EU", true],
    ["production_2", true],
    ["productive", false],
    ["development", false],
    ["preprod", false],
    [undefined, false],
    [42, false],
  ])("%s → %s", (value, expected) => {
    expect(isProduction(value)).toBe(expected);
  });
});
