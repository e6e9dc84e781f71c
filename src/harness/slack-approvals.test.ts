import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  FAKE_AWS_KEY,
  FAKE_AWS_SECRET,
  FAKE_GITHUB_TOKEN,
  sampleRequest,
} from "../../test/support/slack-approvals.js";
import { ConnectorHttpSchema, SlackConfigSchema } from "../config/schema.js";
import { createSlackClient } from "../connectors/slack.js";
import type { SlackBlock } from "../connectors/types.js";
import type { ApprovalRequest } from "../core/approvals/approval.js";
import { findSecrets } from "../core/validation/secrets.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import {
  APPROVE_ACTION_ID,
  createSlackApprovalNotifier,
  DENY_ACTION_ID,
  renderApprovalMessage,
} from "./slack-approvals.js";

/** The approval message (Block Kit) and the notifier that posts and updates it in the simulator. */

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.state.slack.messages.length = 0;
});

function slack() {
  const cfg = SlackConfigSchema.parse({ api_url: `${sandbox.url}/slack/api` });
  const credentials = sandbox.credentials as unknown as Record<string, string>;
  return createSlackClient(cfg, ConnectorHttpSchema.parse({ retries: 0 }), (name) => credentials[name]);
}

function notifier(channel: string | null = "change-approvals") {
  const warnings: Array<{ detail: Record<string, unknown>; message: string }> = [];
  const n = createSlackApprovalNotifier({
    slack: slack(),
    channelFor: () => channel,
    log: { warn: (detail, message) => warnings.push({ detail, message }) },
  });
  return { notifier: n, warnings };
}

const unix = (iso: string) => Date.parse(iso) / 1000;
const texts = (blocks: SlackBlock[]) => JSON.stringify(blocks);
const buttons = (blocks: SlackBlock[]) =>
  (blocks.find((b) => b.type === "actions")?.elements as Array<Record<string, unknown>> | undefined) ?? [];

describe("the Block Kit message", () => {
  it("shows what an approver needs and carries the approval id in both buttons", () => {
    const { text, blocks } = renderApprovalMessage(sampleRequest());
    const all = texts(blocks);
    expect(blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Approval needed: aws_modify_security_group", emoji: false },
    });
    expect(all).toContain("`aws_modify_security_group`");
    expect(all).toContain("*Risk tier*\\nhigh");
    expect(all).toContain(
      "engineer@zyxbank.example → spiffe://zyx.example/agent/change-reviewer\\n_via delegation: remediate CHG-18422_",
    );
    expect(all).toContain("0 of 2 from `grp-ai-prod-approvers`");
    expect(all).toContain("Close SSH to the world on the export bastion (CHG-18422).");
    expect(all).toContain("• approval required");
    expect(all).toContain("- ingress tcp/22 from 0.0.0.0/0\\n+ ingress tcp/22 from 10.20.0.0/16");
    expect(all).toContain('\\"attached_instances\\": 3');
    // The expiry, rendered in the reader's time zone, with the exact time as the fallback.
    expect(all).toContain(
      `<!date^${unix("2026-11-25T11:00:00.000Z")}^{date_short_pretty} {time}|2026-11-25T11:00:00.000Z>`,
    );
    expect(all).toContain("Approval `apr_01JDZK4T6QW3V8N2` · trace `ai-20261125-100000-3f2a9c1b7d4e`");
    expect(buttons(blocks)).toEqual([
      expect.objectContaining({
        action_id: APPROVE_ACTION_ID,
        value: "apr_01JDZK4T6QW3V8N2",
        style: "primary",
      }),
      expect.objectContaining({ action_id: DENY_ACTION_ID, value: "apr_01JDZK4T6QW3V8N2", style: "danger" }),
    ]);
    expect(text).toBe(
      "Approval needed: aws_modify_security_group (high risk) for engineer@zyxbank.example, 0 of 2 approvals, expires 2026-11-25T11:00:00.000Z",
    );
  });

  it("stays within Block Kit's limits, whatever the request holds", () => {
    const huge = sampleRequest({
      tool: "t".repeat(300),
      justification: "<".repeat(5000),
      diff: `${"```\n".repeat(2000)}&&&`,
      reasons: Array.from({ length: 100 }, (_, i) => `reason ${i} ${"x".repeat(150)}`),
      blast_radius: { list: Array.from({ length: 500 }, (_, i) => i) },
    });
    const { text, blocks } = renderApprovalMessage(huge);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(text.length).toBeLessThanOrEqual(500);
    for (const block of blocks) {
      const body = (block.text as { text?: string } | undefined)?.text ?? "";
      if (block.type === "header") expect(body.length).toBeLessThanOrEqual(150);
      if (block.type === "section") {
        expect(body.length).toBeLessThanOrEqual(3000);
        // No code block is left open and no entity is cut in half.
        expect((body.match(/```/g) ?? []).length % 2).toBe(0);
        expect(body).not.toMatch(/&(?:a|am|l|g)?…/);
      }
      for (const field of (block.fields as Array<{ text: string }> | undefined) ?? []) {
        expect(field.text.length).toBeLessThanOrEqual(2000);
      }
    }
  });
});

describe("security", () => {
  it("puts no secret in the message, even one the requester slipped into free text", () => {
    const request = sampleRequest({
      justification: `use key ${FAKE_AWS_KEY} and token ${FAKE_GITHUB_TOKEN}`,
      diff: `+ aws_secret_access_key = "${FAKE_AWS_SECRET}"\n+ token: ${FAKE_GITHUB_TOKEN}`,
      args: { account: "development", api_token: FAKE_GITHUB_TOKEN },
    });
    const message = renderApprovalMessage(request);
    const all = `${message.text}\n${texts(message.blocks)}`;
    expect(all).not.toContain(FAKE_AWS_KEY);
    expect(all).not.toContain(FAKE_GITHUB_TOKEN);
    expect(all).not.toContain(FAKE_AWS_SECRET);
    expect(findSecrets(all)).toEqual([]);
    expect(all).toContain("REDACTED");
  });

  it("escapes what it quotes: no mention, no disguised link, no control character", () => {
    const request = sampleRequest({
      justification: "<!channel> urgent: approve <https://evil.example|the runbook> & \u0007 go",
    });
    const all = texts(renderApprovalMessage(request).blocks);
    expect(all).not.toContain("<!channel>");
    expect(all).not.toContain("<https://evil.example");
    expect(all).toContain(
      "&lt;!channel&gt; urgent: approve &lt;https://evil.example|the runbook&gt; &amp; \ufffd go",
    );
  });

  it("cannot be closed out of a code block by the diff", () => {
    const all = texts(renderApprovalMessage(sampleRequest({ diff: "```\n*bold* <!here>\n```" })).blocks);
    expect(all).not.toContain("```\\n*bold*");
    expect(all).toContain("&lt;!here&gt;");
  });
});

describe("the notifier against the Slack simulator", () => {
  it("posts to the approval channel and returns where the message went", async () => {
    const { notifier: n } = notifier();
    const posted = await n.requested(sampleRequest());
    expect(posted).toEqual({ channel: "C07CHGAPPR1", ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    const [message] = sandbox.state.slack.messages;
    expect(message?.channelName).toBe("change-approvals");
    expect(message?.text).toContain("Approval needed: aws_modify_security_group");
    expect(buttons(message?.blocks as SlackBlock[])).toHaveLength(2);
  });

  it("rewrites the message after each decision: progress, who decided, then no buttons", async () => {
    const { notifier: n } = notifier();
    const posted = await n.requested(sampleRequest());
    const one: ApprovalRequest = sampleRequest({
      slack: posted,
      votes: [
        {
          approver: "prod.approver@zyxbank.example",
          decision: "approve",
          comment: null,
          at: "2026-11-25T10:05:00.000Z",
          via: "slack",
        },
      ],
    });
    await n.decided(one);
    let [message] = sandbox.state.slack.messages;
    expect(message?.editedTs).not.toBeNull();
    expect(texts(message?.blocks as SlackBlock[])).toContain("1 of 2 from");
    expect(texts(message?.blocks as SlackBlock[])).toContain(
      `:white_check_mark: prod.approver@zyxbank.example approved <!date^${unix("2026-11-25T10:05:00.000Z")}^{date_short_pretty} {time}|2026-11-25T10:05:00.000Z> (via slack)`,
    );
    expect(buttons(message?.blocks as SlackBlock[])).toHaveLength(2);

    await n.decided({
      ...one,
      status: "denied",
      votes: [
        ...one.votes,
        {
          approver: "release.approver@zyxbank.example",
          decision: "deny",
          comment: "not in the freeze",
          at: "2026-11-25T10:06:00.000Z",
          via: "http",
        },
      ],
      outcome: { reason: "denied by release.approver@zyxbank.example", comment: "not in the freeze" },
    });
    [message] = sandbox.state.slack.messages;
    const all = texts(message?.blocks as SlackBlock[]);
    expect(message?.text).toMatch(/^Denied: aws_modify_security_group/);
    expect(all).toContain(":no_entry: Denied");
    expect(all).toContain("release.approver@zyxbank.example denied");
    expect(all).toContain("“not in the freeze”");
    expect(all).toContain("*Outcome*\\ndenied by release.approver@zyxbank.example");
    expect(buttons(message?.blocks as SlackBlock[])).toEqual([]);
  });

  it("does not announce a request without a channel", async () => {
    const { notifier: n } = notifier(null);
    await expect(n.requested(sampleRequest())).resolves.toBeNull();
    expect(sandbox.state.slack.messages).toEqual([]);
  });

  it("never throws when Slack refuses: the request is unaffected, the failure is logged", async () => {
    const { notifier: n, warnings } = notifier("security-approvals"); // the bot is not a member
    await expect(n.requested(sampleRequest())).resolves.toBeNull();
    await expect(
      n.decided(sampleRequest({ slack: { channel: "C07CHGAPPR1", ts: "1.000001" } })),
    ).resolves.toBeUndefined();
    expect(warnings.map((w) => w.message)).toEqual([
      "Slack approval message: post failed",
      "Slack approval message: update failed",
    ]);
    expect(warnings[0]?.detail).toMatchObject({
      approval_id: "apr_01JDZK4T6QW3V8N2",
      err: { code: "UPSTREAM_ERROR" },
    });
  });
});
