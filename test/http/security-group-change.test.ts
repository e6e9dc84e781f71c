import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driftIngress } from "../../src/sandbox/aws/drift.js";
import { startTestBridle, type TestBridle } from "../support/bridle.js";
import { BASTION_SG, CLOSE_SSH, sshOpen as sshOpenIn } from "../support/security-group.js";

/**
 * The scenario Bridle exists for: an agent's request to close SSH that a development security
 * group exposes to the world. Enforced from the arguments, approved by a human who sees the
 * diff, executed under a narrowed short-lived role, and rolled back — unless the group drifted.
 */
const SG = BASTION_SG;
const SSH = { protocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" };
const REQUESTER = {
  "x-user-email": "cloud.reviewer@zyxbank.example",
  "x-user-groups": "grp-ai-users,grp-ai-cloud-change-reviewers",
  "x-device-compliant": "true",
};
const APPROVER = {
  "x-user-email": "prod.approver@zyxbank.example",
  "x-user-groups": "grp-ai-prod-approvers",
  "x-device-compliant": "true",
};
const SECOND_APPROVER = { ...APPROVER, "x-user-email": "release.approver@zyxbank.example" };

let t: TestBridle;
beforeAll(async () => {
  t = await startTestBridle();
}, 30_000);
afterAll(async () => t?.close());

const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  t.call(method, path, headers, body);

const sshOpen = () => sshOpenIn(t.sandbox);

const invoke = (args: object, headers = REQUESTER, extra: object = {}) =>
  call("POST", "/v1/tools/aws_modify_security_group/invoke", headers, {
    args,
    justification: "SSH open to the world on a dev bastion",
    ...extra,
  });

/** Dual control: the policy asks two distinct approvers for this tool. */
async function approve(id: string) {
  const first = await call("POST", `/v1/approvals/${id}/decision`, APPROVER, { decision: "approve" });
  expect(first.body.status).toBe("pending");
  return call("POST", `/v1/approvals/${id}/decision`, SECOND_APPROVER, { decision: "approve" });
}

describe("aws_modify_security_group: enforced from the arguments", () => {
  it("refuses production, a missing ticket and a missing rollback plan, each with its reason", async () => {
    const res = await invoke({ ...CLOSE_SSH, account: "production", change_ticket: "", rollback_plan: " " });
    expect(res.status).toBe(403);
    expect(res.body.detail.reasons).toEqual(
      expect.arrayContaining([
        "account is not in allowed_accounts",
        "production is not allowed for this tool",
        "change ticket is required",
        "rollback plan is required",
      ]),
    );
  });

  it("refuses a change ticket that does not exist in Jira", async () => {
    const res = await invoke({ ...CLOSE_SSH, change_ticket: "CHG-99999" });
    expect(res.status).toBe(403);
    expect(res.body.detail.reasons).toEqual(["change ticket does not exist"]);
  });

  it("shows the diff in a dry run and changes nothing", async () => {
    const res = await invoke(CLOSE_SSH, REQUESTER, { dry_run: true });
    expect(res.status).toBe(200);
    expect(res.body.diff).toMatchObject({
      operation: "revoke_ingress",
      no_op: false,
      removed: [expect.any(Object)],
    });
    expect(res.body.blast_radius).toEqual({ resources: [`aws:development:${SG}`], production: false });
    expect(sshOpen()).toBe(true);
  });
});

describe("close SSH, approve, roll back", () => {
  let changeTrace: string;

  it("waits for an approver who sees the diff, then closes SSH", async () => {
    expect(sshOpen()).toBe(true);
    const asked = await invoke(CLOSE_SSH);
    expect(asked.status).toBe(202);
    const request = (await call("GET", `/v1/approvals/${asked.body.approval_id}`, APPROVER)).body;
    expect(request.diff.summary).toContain("revoke tcp 22 from 0.0.0.0/0");
    expect(request.blast_radius.resources).toEqual([`aws:development:${SG}`]);
    expect(sshOpen()).toBe(true);
    const decided = await approve(asked.body.approval_id);
    expect(decided.body.status).toBe("executed");
    expect(sshOpen()).toBe(false);
    changeTrace = asked.body.trace_id;
    // Executed under a short-lived role narrowed to that one action on that one group.
    const session = t.sandbox.state.aws.sessions.find(
      (s) => s.sessionName === changeTrace && s.policy?.includes("Revoke"),
    );
    expect(session?.policy).toContain(`security-group/${SG}`);
  });

  it("rolls the change back (gated like any write) and SSH is open again", async () => {
    const dry = await call("POST", `/v1/rollback/${changeTrace}`, REQUESTER, { dry_run: true });
    expect(dry.status).toBe(200);
    expect(dry.body.inverse_args).toMatchObject({ operation: "authorize_ingress", security_group_id: SG });
    expect(sshOpen()).toBe(false);
    const asked = await call("POST", `/v1/rollback/${changeTrace}`, REQUESTER, {});
    expect(asked.status).toBe(202);
    expect((await approve(asked.body.approval_id)).body.status).toBe("executed");
    expect(sshOpen()).toBe(true);
    const again = await call("POST", `/v1/rollback/${changeTrace}`, REQUESTER, {});
    expect(again.status).toBe(409);
  });

  it("refuses a rollback when the group drifted since the change, showing the drift", async () => {
    const asked = await invoke(CLOSE_SSH);
    await approve(asked.body.approval_id);
    expect(sshOpen()).toBe(false);
    driftIngress(t.sandbox.state.aws, "development", SG, {
      add: [{ protocol: "tcp", fromPort: 3389, toPort: 3389, cidrIpv4: "10.0.0.0/8" }],
    });
    const res = await call("POST", `/v1/rollback/${asked.body.trace_id}`, REQUESTER, {});
    expect(res.status).toBe(409);
    expect(res.body.detail.drift.join(" ")).toContain("3389");
    expect(sshOpen()).toBe(false);
    driftIngress(t.sandbox.state.aws, "development", SG, {
      remove: [{ protocol: "tcp", fromPort: 3389, toPort: 3389, cidrIpv4: "10.0.0.0/8" }],
      add: [SSH],
    });
  });

  it("tells the whole story in the audit timeline", async () => {
    const events = await t.trace(changeTrace);
    const types = events.map((e) => e.event_type);
    for (const type of [
      "policy_decision",
      "approval_requested",
      "approval_decision",
      "tool_call",
      "approval_executed",
    ])
      expect(types).toContain(type);
  });
});

describe("the timeline tells the story of a gated change", () => {
  it("renders request, votes and execution as readable lines", async () => {
    const { renderTimeline } = await import("../../src/core/audit/timeline.js");
    const asked = await invoke(CLOSE_SSH);
    await approve(asked.body.approval_id);
    const text = renderTimeline(asked.body.trace_id, await t.trace(asked.body.trace_id));
    expect(text).toContain("approval requested for aws_modify_security_group");
    expect(text).toContain("prod.approver@zyxbank.example approved via http: 1/2, now pending");
    expect(text).toContain("release.approver@zyxbank.example approved via http: 2/2, now approved");
    expect(text).toContain("approved call executed: aws_modify_security_group");
    driftIngress(t.sandbox.state.aws, "development", SG, { add: [SSH] });
  });
});
