import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driftIngress } from "../../src/sandbox/aws/drift.js";
import { startTestBridle, type TestBridle } from "../support/bridle.js";
import { BASTION_SG, CLOSE_SSH, sshOpen as sshOpenIn } from "../support/security-group.js";
import { clickPayload, formBody, signSlack } from "../support/slack-approvals.js";

/**
 * Approve where people are, end to end: the gated request is posted to the tool's approval
 * channel in the Slack simulator, a signed click by an approver (resolved with users.info and
 * the directory file) executes it, and the message is updated to show who decided.
 */
const SG = BASTION_SG;
let t: TestBridle;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "bridle-slack-"));
  const directory = join(dir, "directory.yaml");
  writeFileSync(
    directory,
    "prod.approver@zyxbank.example: [grp-ai-prod-approvers]\nrelease.approver@zyxbank.example: [grp-ai-prod-approvers]\ncontractor@zyxbank.example: [grp-vendors]\n",
  );
  t = await startTestBridle(`identity:\n  mode: dev-headers\n  directory_file: ${directory}\n`);
}, 30_000);
afterAll(async () => t?.close());

async function click(user: string, approvalId: string, secretOverride?: string) {
  const body = formBody(clickPayload({ user, actionId: "bridle_approve", value: approvalId }));
  const ts = Math.floor(Date.now() / 1000);
  const secret = secretOverride ?? String(t.sandbox.credentials.SLACK_SIGNING_SECRET);
  const response = await fetch(`${t.url}/v1/slack/interactions`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": signSlack(secret, ts, body),
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("condition not met in 5 s");
}

const sshOpen = () => sshOpenIn(t.sandbox);

describe("Slack approvals through the real approvals service", () => {
  it("posts the request to #change-approvals, takes a signed click, runs the change and updates the message", async () => {
    const response = await fetch(`${t.url}/v1/tools/aws_modify_security_group/invoke`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-user-email": "cloud.security@zyxbank.example",
        "x-user-groups": "grp-ai-cloud-change-reviewers",
        "x-device-compliant": "true",
      },
      body: JSON.stringify({
        args: CLOSE_SSH,
        justification: "SSH open to the world",
      }),
    });
    expect(response.status).toBe(202);
    const { approval_id: id } = (await response.json()) as { approval_id: string };
    const posted = t.sandbox.state.slack.messages.find((m) => JSON.stringify(m).includes(id));
    expect(posted).toBeDefined();
    expect(JSON.stringify(posted)).toContain("C07CHGAPPR1");

    // A contractor in the directory but not an approver: refused, nothing runs.
    expect((await click("U07CONTRC01", id)).status).toBe(200);
    expect(sshOpen()).toBe(true);
    // A bad signature: 401, nothing runs.
    expect((await click("U07PRDAPR01", id, "not-the-secret")).status).toBe(401);
    expect(sshOpen()).toBe(true);

    expect((await click("U07PRDAPR01", id)).status).toBe(200);
    await waitFor(async () => (await t.bridle.approvals.get(id))?.votes.length === 1);
    expect(sshOpen()).toBe(true); // dual control: one approval is not enough
    expect((await click("U07RELAPR01", id)).status).toBe(200);
    let status = "";
    for (let i = 0; i < 50 && status !== "executed"; i++) {
      status = (await t.bridle.approvals.get(id))?.status ?? "";
      if (status !== "executed") await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe("executed");
    expect(sshOpen()).toBe(false);
    const updated = t.sandbox.state.slack.messages.find((m) => JSON.stringify(m).includes(id));
    expect(JSON.stringify(updated)).toContain("prod.approver@zyxbank.example");
    const request = await t.bridle.approvals.get(id);
    expect(request?.votes).toEqual([
      expect.objectContaining({ approver: "prod.approver@zyxbank.example", via: "slack" }),
      expect.objectContaining({ approver: "release.approver@zyxbank.example", via: "slack" }),
    ]);
    driftIngress(t.sandbox.state.aws, "development", SG, {
      add: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }],
    });
  });
});
