import { createHmac } from "node:crypto";
import { type ApprovalRequest, type ApprovalVote, castVote } from "../../src/core/approvals/approval.js";
import { BridleError } from "../../src/core/errors.js";
import type { Principal } from "../../src/core/principal.js";
import type { ApprovalNotifier, ApprovalService } from "../../src/harness/approval-types.js";

/** Shared by the Slack approval tests: a realistic request, Slack's signing, a click payload. */

export const NOW = new Date("2026-11-25T10:00:00.000Z");

/** Made-up credentials in the shapes the secret scanner looks for (not real, not placeholders). */
export const FAKE_AWS_KEY = "AKIAZ7QW3V8N2X4KLM5P";
export const FAKE_AWS_SECRET = "q8Vt3LmZr0XfK2bN9wYp4HsJc7DgE1uA6oTiR5nQ";
export const FAKE_GITHUB_TOKEN = "ghp_R8fKz2LmQ4vN7xT1cY9bW3hJ6pD0sA5eG2uF";

export function sampleRequest(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    id: "apr_01JDZK4T6QW3V8N2",
    trace_id: "ai-20261125-100000-3f2a9c1b7d4e",
    tool: "aws_modify_security_group",
    args: {
      account: "development",
      group_id: "sg-0a1b2c3d4e5f67890",
      change_ticket: "CHG-18422",
      rollback_plan: "revert the ingress rule",
      password: "[REDACTED]",
    },
    justification: "Close SSH to the world on the export bastion (CHG-18422).",
    requester: {
      email: "engineer@zyxbank.example",
      groups: ["grp-ai-cloud-change-reviewers"],
      deviceCompliant: true,
      authenticatedBy: "delegation",
      delegation: {
        id: "dlg_7Q2M",
        purpose: "remediate CHG-18422",
        hops: [
          {
            agent: "spiffe://zyx.example/agent/change-reviewer",
            scope: { tools: [], workflows: [], accounts: [] },
          },
        ],
        expiresAt: "2026-11-25T10:15:00.000Z",
      },
    } as Principal,
    risk: "high",
    reasons: ["approval required"],
    approval_groups: ["grp-ai-prod-approvers"],
    approvals_required: 2,
    diff: "- ingress tcp/22 from 0.0.0.0/0\n+ ingress tcp/22 from 10.20.0.0/16",
    blast_radius: { security_groups: 1, attached_instances: 3, accounts: ["development"] },
    created_at: "2026-11-25T10:00:00.000Z",
    expires_at: "2026-11-25T11:00:00.000Z",
    status: "pending",
    votes: [],
    outcome: null,
    slack: null,
    ...overrides,
  };
}

export function signSlack(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** A block_actions payload as Slack sends it for a button click on our message. */
export function clickPayload(opts: {
  user: string;
  actionId: string;
  value: string;
  channel?: string;
  messageTs?: string;
}): Record<string, unknown> {
  const channel = opts.channel ?? "C07CHGAPPR1";
  return {
    type: "block_actions",
    user: { id: opts.user, username: "someone", name: "someone", team_id: "T05ZYXBANK1" },
    api_app_id: "A07BRIDLE01",
    token: "verification-token-unused",
    container: { type: "message", message_ts: opts.messageTs ?? "1764064800.000001", channel_id: channel },
    trigger_id: "1234567890.123456789.abcdef",
    team: { id: "T05ZYXBANK1", domain: "zyxbank" },
    channel: { id: channel, name: "change-approvals" },
    message: { type: "message", ts: opts.messageTs ?? "1764064800.000001", text: "Approval needed" },
    response_url: "https://hooks.slack.com/actions/T05ZYXBANK1/1/abc",
    actions: [
      {
        action_id: opts.actionId,
        block_id: "bridle_approval_actions",
        text: { type: "plain_text", text: "Approve" },
        value: opts.value,
        type: "button",
        action_ts: "1764064801.000000",
      },
    ],
  };
}

export function formBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface DecideCall {
  id: string;
  voter: Principal;
  decision: ApprovalVote["decision"];
  comment: string | null;
  via: ApprovalVote["via"];
}

/**
 * An in-memory ApprovalService at the interface boundary: it records every `decide`, applies the
 * vote with the pure core rules, and tells the notifier, as the real service does.
 */
export function recordingApprovals(notifier: ApprovalNotifier | null, now: () => Date) {
  const requests = new Map<string, ApprovalRequest>();
  const calls: DecideCall[] = [];
  let delayMs = 0;
  const service: ApprovalService = {
    async get(id) {
      return requests.get(id) ?? null;
    },
    async list() {
      return [...requests.values()];
    },
    async decide(id, voter, decision, comment, via) {
      calls.push({ id, voter, decision, comment, via });
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const request = requests.get(id);
      if (!request) throw new BridleError("NOT_FOUND", "no such approval request");
      const vote = castVote(request, voter, decision, comment, via, now());
      if (!vote.ok) throw new BridleError(vote.status === 403 ? "FORBIDDEN" : "CONFLICT", vote.message);
      requests.set(id, vote.request);
      await notifier?.decided(vote.request);
      return vote.request;
    },
  };
  return {
    service,
    calls,
    requests,
    slowDown(ms: number) {
      delayMs = ms;
    },
  };
}
