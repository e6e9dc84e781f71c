import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVOPS, startTestBridle, type TestBridle } from "../support/bridle.js";

/**
 * The generic gated path through HTTP against the sandbox: run now, refuse with every reason,
 * dry run, wait for N approvals, expire, deny, the kill switch stopping an approved request.
 * Jira comments are the write here (made approval-gated with dual control by this test's policy).
 */
const TICKET = "CHG-18422";
const headersFor = (email: string, groups: string[]) => ({
  "x-user-email": email,
  "x-user-groups": groups.join(","),
  "x-device-compliant": "true",
});
const REQUESTER = DEVOPS;
const APPROVER_A = headersFor("alice@zyxbank.example", ["grp-ai-prod-approvers"]);
const APPROVER_B = headersFor("bob@zyxbank.example", ["grp-ai-prod-approvers"]);
const OUTSIDER = headersFor("mallory@zyxbank.example", ["grp-ai-users"]);
const ADMIN = headersFor("secops@zyxbank.example", ["grp-ai-security-admins"]);

let t: TestBridle;

function gatedPolicy(): string {
  const dir = mkdtempSync(join(tmpdir(), "bridle-gated-"));
  const file = join(dir, "policy.yaml");
  let text = readFileSync("policies/tool_policies.yaml", "utf8");
  text = text.replace(
    / {2}jira_add_comment:\n( {4}.*\n)+? {4}approval_required: false\n/,
    `  jira_add_comment:
    risk: medium
    allowed_groups: [grp-ai-devops-readonly, grp-ai-prod-approvers]
    write: true
    approval_required: true
    approval_groups: [grp-ai-prod-approvers]
    approvals_required: 2
    approval_timeout: "2s"
`,
  );
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  t = await startTestBridle(`policy: ${gatedPolicy()}\n`);
}, 30_000);
afterAll(async () => t?.close());

const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  t.call(method, path, headers, body);

const comments = () => t.sandbox.state.atlassian.comments[TICKET]?.length ?? 0;
const comment = (body: string) => ({
  args: { ticket: TICKET, body },
  justification: "post the advisory review to the change",
});

describe("POST /v1/tools/{tool}/invoke", () => {
  it("runs an allowed read now: 200 with the result and the trace", async () => {
    const res = await call("POST", "/v1/tools/jira_read/invoke", REQUESTER, { args: { ticket: TICKET } });
    expect(res.status).toBe(200);
    expect(res.body.result.key).toBe(TICKET);
    expect(res.body.trace_id).toMatch(/\S/);
  });

  it("refuses with every reason: 403 {detail: {reasons, trace_id}}", async () => {
    const res = await call("POST", "/v1/tools/aws_dev_read/invoke", OUTSIDER, {
      args: { account: "production" },
    });
    expect(res.status).toBe(403);
    expect(res.body.detail.reasons).toEqual([
      "user does not belong to an allowed group",
      "account is not in allowed_accounts",
    ]);
    expect(res.body.detail.trace_id).toMatch(/\S/);
  });

  it("answers a dry run with the decision and changes nothing", async () => {
    const before = comments();
    const res = await call("POST", "/v1/tools/jira_add_comment/invoke", REQUESTER, {
      ...comment("dry"),
      dry_run: true,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dry_run: true, decision: { allowed: true, approval_required: true } });
    expect(comments()).toBe(before);
    expect(await t.bridle.approvals.list({ limit: 100 })).toHaveLength(0);
  });

  it("refuses unknown tools and bad bodies with 4xx", async () => {
    expect((await call("POST", "/v1/tools/no_such_tool/invoke", REQUESTER, { args: {} })).status).toBe(403);
    expect(
      (await call("POST", "/v1/tools/jira_read/invoke", REQUESTER, { args: { ticket: TICKET }, extra: 1 }))
        .status,
    ).toBe(400);
    expect((await call("POST", "/v1/tools/NOT-A-TOOL/invoke", REQUESTER, { args: {} })).status).toBe(400);
  });
});

describe("approvals by consequence", () => {
  it("waits for two distinct approvers, refuses everyone else, then runs exactly once", async () => {
    const before = comments();
    const asked = await call("POST", "/v1/tools/jira_add_comment/invoke", REQUESTER, comment("dual control"));
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ status: "pending", approval_id: expect.any(String) });
    const id = asked.body.approval_id;
    const decide = (h: Record<string, string>, decision = "approve") =>
      call("POST", `/v1/approvals/${id}/decision`, h, { decision });

    const listed = await call("GET", "/v1/approvals?status=pending", APPROVER_A);
    expect(listed.body.approvals.map((a: { id: string }) => a.id)).toContain(id);
    expect(listed.body.approvals[0]).toMatchObject({ tool: "jira_add_comment", approvals_required: 2 });

    expect((await decide(REQUESTER)).status).toBe(403); // the requester never approves
    expect((await decide(OUTSIDER)).status).toBe(403); // not in approval_groups
    const first = await decide(APPROVER_A);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe("pending");
    expect((await decide(APPROVER_A)).status).toBe(409); // the same approver twice counts once
    expect(comments()).toBe(before);

    const second = await decide(APPROVER_B);
    expect(second.body.status).toBe("executed");
    expect(comments()).toBe(before + 1);
    expect((await decide(headersFor("carol@zyxbank.example", ["grp-ai-prod-approvers"]))).status).toBe(409);
    expect(comments()).toBe(before + 1);

    const story = (await t.trace(asked.body.trace_id)).map((e) => e.event_type);
    expect(story).toEqual(
      expect.arrayContaining(["approval_requested", "approval_decision", "approval_executed", "tool_call"]),
    );
  });

  it("one deny ends the request; it never runs", async () => {
    const before = comments();
    const asked = await call("POST", "/v1/tools/jira_add_comment/invoke", REQUESTER, comment("to be denied"));
    const id = asked.body.approval_id;
    expect(
      (await call("POST", `/v1/approvals/${id}/decision`, APPROVER_A, { decision: "approve" })).status,
    ).toBe(200);
    const denied = await call("POST", `/v1/approvals/${id}/decision`, APPROVER_B, { decision: "deny" });
    expect(denied.body.status).toBe("denied");
    expect(
      (
        await call(
          "POST",
          `/v1/approvals/${id}/decision`,
          headersFor("carol@zyxbank.example", ["grp-ai-prod-approvers"]),
          { decision: "approve" },
        )
      ).status,
    ).toBe(409);
    expect(comments()).toBe(before);
  });

  it("expires after the timeout and never runs (a timeout never approves)", async () => {
    const before = comments();
    const asked = await call("POST", "/v1/tools/jira_add_comment/invoke", REQUESTER, comment("too late"));
    const id = asked.body.approval_id;
    await new Promise((r) => setTimeout(r, 2200));
    await t.bridle.approvals.sweep();
    expect((await call("GET", `/v1/approvals/${id}`, APPROVER_A)).body.status).toBe("expired");
    expect(
      (await call("POST", `/v1/approvals/${id}/decision`, APPROVER_A, { decision: "approve" })).status,
    ).toBe(409);
    expect(comments()).toBe(before);
    const events = await t.trace(asked.body.trace_id);
    expect(events.map((e) => e.event_type)).toContain("approval_expired");
  });

  it("the kill switch engaged while a request waits stops it at execution, with reasons", async () => {
    const before = comments();
    const asked = await call("POST", "/v1/tools/jira_add_comment/invoke", REQUESTER, comment("stopped"));
    const id = asked.body.approval_id;
    await call("POST", `/v1/approvals/${id}/decision`, APPROVER_A, { decision: "approve" });
    const engaged = await call("PUT", "/v1/killswitch", ADMIN, {
      all_write_tools_disabled: true,
      reason: "incident 4711",
    });
    expect(engaged.status).toBe(200);
    try {
      const last = await call("POST", `/v1/approvals/${id}/decision`, APPROVER_B, { decision: "approve" });
      expect(last.body.status).toBe("refused");
      expect(last.body.outcome.reasons).toContain("all write tools disabled by kill switch");
      expect(comments()).toBe(before);
    } finally {
      await call("PUT", "/v1/killswitch", ADMIN, {
        all_write_tools_disabled: false,
        reason: "incident over",
      });
    }
  });

  it("refuses decisions on unknown or malformed ids", async () => {
    expect(
      (
        await call("POST", "/v1/approvals/00000000-0000-4000-8000-000000000000/decision", APPROVER_A, {
          decision: "approve",
        })
      ).status,
    ).toBe(404);
    expect(
      (await call("POST", "/v1/approvals/nope/decision", APPROVER_A, { decision: "approve" })).status,
    ).toBe(400);
    expect(
      (
        await call("POST", "/v1/approvals/00000000-0000-4000-8000-000000000000/decision", APPROVER_A, {
          decision: "maybe",
        })
      ).status,
    ).toBe(400);
  });
});

describe("the runtime kill switch", () => {
  it("only kill_switch.admin_groups may set it, a reason is required, and every change is audited", async () => {
    expect(
      (await call("PUT", "/v1/killswitch", OUTSIDER, { read_only_mode: true, reason: "x" })).status,
    ).toBe(403);
    expect((await call("PUT", "/v1/killswitch", ADMIN, { read_only_mode: true })).status).toBe(400);
    const on = await call("PUT", "/v1/killswitch", ADMIN, {
      disabled_users: ["engineer@zyxbank.example"],
      reason: "suspicious",
    });
    expect(on.body.runtime.settings.disabled_users).toEqual(["engineer@zyxbank.example"]);
    try {
      const blocked = await call("POST", "/v1/tools/jira_read/invoke", REQUESTER, {
        args: { ticket: TICKET },
      });
      expect(blocked.status).toBe(403);
      expect(blocked.body.detail.reasons).toContain("user disabled by kill switch");
    } finally {
      await call("PUT", "/v1/killswitch", ADMIN, { disabled_users: [], reason: "cleared" });
    }
    expect(
      (await call("POST", "/v1/tools/jira_read/invoke", REQUESTER, { args: { ticket: TICKET } })).status,
    ).toBe(200);

    // It also holds the review workflow's posts: read-only refuses the review before it starts.
    await call("PUT", "/v1/killswitch", ADMIN, { read_only_mode: true, reason: "freeze" });
    try {
      const review = await call("POST", "/review-change", REQUESTER, {
        ticket: TICKET,
        repository: "platform-infra",
        pull_request: "991",
      });
      expect(review.status).toBe(403);
      expect(review.body.detail.denied.map((d: { reason: string }) => d.reason)).toContain(
        "agent is in read-only mode",
      );
    } finally {
      await call("PUT", "/v1/killswitch", ADMIN, { read_only_mode: false, reason: "cleared" });
    }
    const status = await call("GET", "/v1/killswitch", OUTSIDER);
    expect(status.body.runtime).toMatchObject({ updated_by: "secops@zyxbank.example", reason: "cleared" });
    const changes = (await t.events()).filter((e) => e.event_type === "kill_switch_changed");
    expect(changes.map((e) => e.outcome?.status)).toEqual(expect.arrayContaining(["denied", "ok"]));
  });
});

describe("exactly once", () => {
  it("50 concurrent approvals of one request execute it once", async () => {
    const before = comments();
    const asked = await call("POST", "/v1/tools/jira_add_comment/invoke", REQUESTER, comment("race"));
    const id = asked.body.approval_id;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(
          "POST",
          `/v1/approvals/${id}/decision`,
          headersFor(`approver${i}@zyxbank.example`, ["grp-ai-prod-approvers"]),
          {
            decision: "approve",
          },
        ),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(comments()).toBe(before + 1);
    const executed = (await t.trace(asked.body.trace_id)).filter((e) => e.event_type === "approval_executed");
    expect(executed).toHaveLength(1);
    expect((await call("GET", `/v1/approvals/${id}`, APPROVER_A)).body.status).toBe("executed");
  });
});
