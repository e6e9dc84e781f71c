import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestBridle, type TestBridle } from "../support/bridle.js";
import { cliWorkspace } from "../support/cli.js";
import { CLOSE_SSH } from "../support/security-group.js";

/**
 * `bridle approvals`, `bridle killswitch`, `bridle rollback`: the real command, as a client of a
 * running server (the same rules and audit as HTTP and Slack).
 */
const workspace = cliWorkspace(5);
let t: TestBridle;
beforeAll(async () => {
  t = await startTestBridle();
}, 30_000);
afterAll(async () => t?.close());

const as = (user: string, groups: string) => ["--url", t.url, "--user", user, "--groups", groups];
const REQUESTER = () => as("cloud.security@zyxbank.example", "grp-ai-cloud-change-reviewers");
const APPROVER_1 = () => as("prod.approver@zyxbank.example", "grp-ai-prod-approvers");
const APPROVER_2 = () => as("release.approver@zyxbank.example", "grp-ai-prod-approvers");

describe("bridle approvals", () => {
  it("lists, shows and decides a pending request; the second approval runs it", async () => {
    const res = await fetch(`${t.url}/v1/tools/aws_modify_security_group/invoke`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-user-email": "cloud.security@zyxbank.example",
        "x-user-groups": "grp-ai-cloud-change-reviewers",
        "x-device-compliant": "true",
      },
      body: JSON.stringify({
        args: CLOSE_SSH,
        justification: "close SSH",
      }),
    });
    const { approval_id: id, trace_id: trace } = (await res.json()) as {
      approval_id: string;
      trace_id: string;
    };

    const list = await workspace.runAsync("approvals", "list", "--status", "pending", ...APPROVER_1());
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(id);
    const show = await workspace.runAsync("approvals", "show", id, ...APPROVER_1());
    expect(show.stdout).toContain("revoke tcp 22 from 0.0.0.0/0");

    const self = await workspace.runAsync("approvals", "approve", id, ...REQUESTER());
    expect(self.code).toBe(1);
    expect(self.stderr).toContain("403");
    const first = await workspace.runAsync("approvals", "approve", id, ...APPROVER_1(), "--comment", "ok");
    expect(first.stdout).toContain("pending (1/2");
    const second = await workspace.runAsync("approvals", "approve", id, ...APPROVER_2());
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("executed");

    const dry = await workspace.runAsync("rollback", trace, "--dry-run", ...REQUESTER());
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("authorize_ingress");
    const rollback = await workspace.runAsync("rollback", trace, ...REQUESTER());
    expect(rollback.stdout).toContain("waits for approval");
  });

  it("exits 2 without an identity and 1 when the server is unreachable", async () => {
    const anonymous = await workspace.runAsync("approvals", "list", "--url", t.url);
    expect(anonymous.code).toBe(2);
    const unreachable = await workspace.runAsync(
      "approvals",
      "list",
      "--url",
      "http://127.0.0.1:9",
      "--user",
      "a@b.example",
    );
    expect(unreachable.code).toBe(1);
  });
});

describe("bridle killswitch", () => {
  it("refuses a non-admin, and reads the status", async () => {
    const set = await workspace.runAsync(
      "killswitch",
      "set",
      "--read-only",
      "--reason",
      "drill",
      ...APPROVER_1(),
    );
    expect(set.code).toBe(1);
    expect(set.stderr).toContain("kill_switch.admin_groups");
    const status = await workspace.runAsync("killswitch", "status", ...APPROVER_1());
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("runtime: never set");
  });
});
