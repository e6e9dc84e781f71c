import type { SlackBlock, SlackClient } from "../connectors/types.js";
import { type ApprovalRequest, type ApprovalVote, approvers } from "../core/approvals/approval.js";
import { BridleError } from "../core/errors.js";
import { validateOutboundText } from "../core/validation/output.js";
import { redactDeep } from "../core/validation/redact.js";
import type { ApprovalNotifier } from "./approval-types.js";

/**
 * Approval requests announced where the approvers are: a Block Kit message in the tool's
 * approval channel with everything needed to decide (what, why, who asked and through which
 * agents, what changes, how far it reaches, until when) and Approve / Deny buttons, rewritten
 * after every decision. The buttons carry only the approval id; a click reaches
 * POST /v1/slack/interactions, which checks Slack's signature and who clicked before it votes.
 *
 * Everything quoted comes from callers and is untrusted: it is redacted, stripped of control
 * characters and escaped (`&`, `<`, `>`), so it can neither leak a secret nor turn into a
 * mention (`<!channel>`) or a disguised link, and free text sits in code blocks.
 */

export const APPROVE_ACTION_ID = "bridle_approve";
export const DENY_ACTION_ID = "bridle_deny";
export const APPROVAL_ACTIONS_BLOCK_ID = "bridle_approval_actions";

export interface ApprovalMessage {
  /** The notification fallback (and what screen readers read). */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackApprovalNotifierOptions {
  slack: SlackClient;
  /** Where a request is announced (the tool's `approval_channel`, or a default); null: nowhere. */
  channelFor(request: ApprovalRequest): string | null;
  log?: { warn(detail: Record<string, unknown>, message: string): void };
}

export function createSlackApprovalNotifier(options: SlackApprovalNotifierOptions): ApprovalNotifier {
  const warn = (request: ApprovalRequest, step: string, error: unknown) =>
    options.log?.warn(
      { approval_id: request.id, trace_id: request.trace_id, err: errorSummary(error) },
      `Slack approval message: ${step} failed`,
    );
  return {
    // A failure to notify never changes the request: it is logged and the request stays as it is.
    async requested(request) {
      const channel = options.channelFor(request);
      if (channel === null) return null;
      try {
        const message = renderApprovalMessage(request);
        return await options.slack.postMessage(channel, message.text, message.blocks);
      } catch (error) {
        warn(request, "post", error);
        return null;
      }
    },
    async decided(request) {
      if (!request.slack) return;
      try {
        const message = renderApprovalMessage(request);
        await options.slack.updateMessage(
          request.slack.channel,
          request.slack.ts,
          message.text,
          message.blocks,
        );
      } catch (error) {
        warn(request, "update", error);
      }
    },
  };
}

/**
 * The message for a request in its current state. If the full message does not pass outbound
 * validation even after redaction, the details are withheld (still with the buttons) rather
 * than sent; if even that fails, nothing is.
 */
export function renderApprovalMessage(request: ApprovalRequest): ApprovalMessage {
  const safe = redactDeep(request);
  for (const detailed of [true, false]) {
    const message = buildMessage(safe, detailed);
    if (validateOutboundText(messageText(message)).ok) return message;
  }
  throw new BridleError("OUTPUT_VALIDATION_FAILED", "approval message failed outbound validation", {
    approval_id: request.id,
  });
}

const HEADLINE: Record<ApprovalRequest["status"], string> = {
  pending: "Approval needed",
  approved: "Approved",
  executed: "Approved and executed",
  denied: "Denied",
  expired: "Expired",
  refused: "Refused",
  failed: "Failed",
};

const STATUS_LABEL: Record<ApprovalRequest["status"], string> = {
  pending: ":hourglass_flowing_sand: Pending",
  approved: ":white_check_mark: Approved, running",
  executed: ":white_check_mark: Approved and executed",
  denied: ":no_entry: Denied",
  expired: ":alarm_clock: Expired (a timeout never approves)",
  refused: ":no_entry: Refused at execution (policy or kill switch)",
  failed: ":x: Approved, but the execution failed",
};

function buildMessage(r: ApprovalRequest, detailed: boolean): ApprovalMessage {
  const tool = inline(r.tool, 80);
  const progress = `${approvers(r).length} of ${r.approvals_required}`;
  const blocks: SlackBlock[] = [
    { type: "header", text: plain(`${HEADLINE[r.status]}: ${r.tool}`, 150) },
    {
      type: "section",
      fields: [
        md(`*Tool*\n\`${tool}\``),
        md(`*Risk tier*\n${esc(r.risk ?? "unspecified", 40)}`),
        md(`*Requested by*\n${requesterLine(r)}`),
        md(
          `*Approvals*\n${progress} from ${r.approval_groups.map((g) => `\`${inline(g, 60)}\``).join(", ")}`,
        ),
        md(`*Expires*\n${slackDate(r.expires_at)}`),
        md(`*Status*\n${STATUS_LABEL[r.status]}`),
      ],
    },
  ];
  if (detailed) {
    blocks.push(
      section("Justification", codeBlock(textOf(r.justification), 900)),
      section("Arguments (redacted)", codeBlock(json(r.args), 1500)),
      section("Policy reasons", r.reasons.map((reason) => `• ${esc(reason, 200)}`).join("\n") || "_none_"),
      section("What will change", codeBlock(textOf(r.diff), 2500)),
      section("Blast radius", codeBlock(textOf(r.blast_radius), 800)),
    );
  } else {
    blocks.push(
      section("Details withheld", `Run \`bridle approvals show ${inline(r.id, 100)}\` to see them.`),
    );
  }
  if (r.votes.length > 0) blocks.push(section("Decisions", r.votes.map(voteLine).join("\n")));
  const outcome = outcomeLine(r);
  if (outcome) blocks.push(section("Outcome", outcome));
  blocks.push({
    type: "context",
    elements: [
      md(
        `Approval \`${inline(r.id, 100)}\` · trace \`${inline(r.trace_id, 100)}\` · requested ${slackDate(r.created_at)}` +
          (r.rollback_of ? ` · rolls back trace \`${inline(r.rollback_of, 100)}\`` : ""),
      ),
    ],
  });
  if (r.status === "pending") blocks.push(actionsBlock(r));
  const text = esc(
    `${HEADLINE[r.status]}: ${r.tool} (${r.risk ?? "unspecified"} risk) for ${r.requester.email}, ${progress} approvals, expires ${r.expires_at}`,
    500,
  );
  return { text, blocks };
}

function actionsBlock(r: ApprovalRequest): SlackBlock {
  const confirm = (verb: string, consequence: string) => ({
    title: plain(`${verb} ${r.tool}?`, 100),
    text: plain(`${consequence} Your decision is recorded under your name in the audit ledger.`, 300),
    confirm: plain(verb, 30),
    deny: plain("Cancel", 30),
  });
  return {
    type: "actions",
    block_id: APPROVAL_ACTIONS_BLOCK_ID,
    elements: [
      {
        type: "button",
        action_id: APPROVE_ACTION_ID,
        text: plain("Approve", 75),
        style: "primary",
        value: r.id,
        confirm: confirm("Approve", `The tool runs once ${r.approvals_required} approvals are in.`),
      },
      {
        type: "button",
        action_id: DENY_ACTION_ID,
        text: plain("Deny", 75),
        style: "danger",
        value: r.id,
        confirm: confirm("Deny", "One denial ends the request."),
      },
    ],
  };
}

function requesterLine(r: ApprovalRequest): string {
  const hops = r.requester.delegation?.hops ?? [];
  if (hops.length === 0) return esc(r.requester.email, 320);
  const chain = [r.requester.email, ...hops.map((h) => h.agent)].map((who) => esc(who, 200)).join(" → ");
  return `${chain}\n_via delegation: ${esc(r.requester.delegation?.purpose ?? "", 200)}_`;
}

function voteLine(v: ApprovalVote): string {
  const icon = v.decision === "approve" ? ":white_check_mark:" : ":no_entry:";
  const verb = v.decision === "approve" ? "approved" : "denied";
  const comment = v.comment ? `: “${esc(v.comment, 200)}”` : "";
  return `${icon} ${esc(v.approver, 320)} ${verb} ${slackDate(v.at)} (via ${v.via})${comment}`;
}

/** The end of a request, as the approvals service records it: a reason, reasons, an error or a result. */
function outcomeLine(r: ApprovalRequest): string | null {
  if (r.status === "pending" || r.outcome === null || typeof r.outcome !== "object") return null;
  const o = r.outcome as { reason?: unknown; reasons?: unknown; error?: unknown; result?: unknown };
  if (typeof o.reason === "string") return esc(o.reason, 500);
  if (Array.isArray(o.reasons)) return o.reasons.map((reason) => `• ${esc(String(reason), 200)}`).join("\n");
  if (typeof o.error === "string") return esc(o.error, 500);
  return o.result === undefined ? null : codeBlock(json(o.result), 1000);
}

// --- Block Kit and mrkdwn helpers ---

function plain(text: string, max: number) {
  return { type: "plain_text", text: truncate(clean(text), max), emoji: false };
}

function md(text: string) {
  return { type: "mrkdwn", text, verbatim: true };
}

/** A section: a bold title over a body, cut at a line to Slack's 3000 characters. */
function section(title: string, body: string): SlackBlock {
  let text = `*${title}*\n${body}`;
  if (text.length > SECTION_MAX) {
    const cut = text.lastIndexOf("\n", SECTION_MAX - 20);
    text = `${text.slice(0, cut > title.length ? cut : SECTION_MAX - 20)}\n…`;
    if ((text.match(/```/g) ?? []).length % 2 === 1) text += "```";
  }
  return { type: "section", text: md(text) };
}

const SECTION_MAX = 3000;

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * Control characters out, then Slack's three escapes (so no `<!here>`, `<@U…>` or `<url|label>`),
 * cut so that the escaped text fits `max` without splitting an entity.
 */
function esc(text: string, max: number): string {
  const escaped = clean(text).replace(/[&<>]/g, (c) => ENTITIES[c] ?? c);
  if (escaped.length <= max) return escaped;
  let cut = max - 40;
  const entity = escaped.lastIndexOf("&", cut);
  if (entity > cut - 5 && !escaped.slice(entity, cut).includes(";")) cut = entity;
  return `${escaped.slice(0, cut)}… (${escaped.length - cut} more characters)`;
}

/** For identifiers inside `backticks`: escaped, without backticks of their own. */
function inline(text: string, max: number): string {
  return esc(text.replaceAll("`", "'"), max);
}

/** Free text verbatim, inside a code block it cannot close. */
function codeBlock(text: string, max: number): string {
  return `\`\`\`${esc(text.replaceAll("```", "`\u200b`\u200b`"), max)}\`\`\``;
}

function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "\ufffd");
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function textOf(value: unknown): string {
  if (value === null || value === undefined) return "(none)";
  return typeof value === "string" ? value : json(value);
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** A date Slack renders in the reader's time zone, with the ISO time as the fallback. */
function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return esc(iso, 40);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
}

/** Every string a reader could see, for the outbound check. */
function messageText(message: ApprovalMessage): string {
  const parts: string[] = [message.text];
  const walk = (value: unknown): void => {
    if (typeof value === "string") parts.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(message.blocks);
  return parts.join("\n");
}

function errorSummary(error: unknown): Record<string, unknown> {
  if (error instanceof BridleError) return { code: error.code, message: error.message };
  return { message: error instanceof Error ? error.message : "unknown error" };
}
