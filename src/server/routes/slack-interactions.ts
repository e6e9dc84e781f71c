import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import type { SlackClient, SlackUserInfo } from "../../connectors/types.js";
import type { ApprovalRequest, ApprovalVote } from "../../core/approvals/approval.js";
import { BridleError } from "../../core/errors.js";
import type { Principal } from "../../core/principal.js";
import type { ApprovalService } from "../../harness/approval-types.js";
import { buildEvent } from "../../harness/audit-events.js";
import type { Clock } from "../../harness/deps.js";
import { APPROVE_ACTION_ID, DENY_ACTION_ID } from "../../harness/slack-approvals.js";
import type { AuditSink } from "../../store/audit-sink.js";

/**
 * `POST /v1/slack/interactions`: a click on an approval message's Approve / Deny button.
 *
 * 1. Slack's signature over the raw body (`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}` with the
 *    app's signing secret), compared in constant time, with the timestamp within five minutes
 *    of now so a captured request cannot be replayed later. Failure: 401 problem+json.
 * 2. Who clicked: the Slack user → users.info → email → groups from the directory file. Someone
 *    Slack or the directory does not know is refused and audited; nothing is voted.
 * 3. The vote goes through the approvals service, like every other face's.
 *
 * Slack wants a 200 within 3 s, so the answer is always 200 once the request is authentic;
 * refusals are ephemeral text (in the body and, because Slack shows no body of a block_actions
 * answer, as a chat.postEphemeral). A vote that runs past the deadline carries on after the 200.
 */

export const SLACK_INTERACTIONS_PATH = "/v1/slack/interactions";

export interface SlackInteractionsDeps {
  approvals: ApprovalService;
  slack: SlackClient;
  signingSecret: () => string | undefined;
  directory: (email: string) => readonly string[] | null;
  audit: AuditSink;
  clock: Clock;
  newTraceId: () => string;
  /** How long a click may work before Slack gets its 200 (Slack gives up at 3 s). */
  ackWithinMs?: number;
}

/** Slack's replay window. */
export const MAX_TIMESTAMP_SKEW_SECONDS = 300;
/** Slack echoes the whole message, blocks included, in every payload. */
const BODY_LIMIT_BYTES = 256 * 1024;
const DEFAULT_ACK_WITHIN_MS = 2_500;
const APPROVAL_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Reasons a click is refused before any vote, as they appear in the audit record. */
export const REFUSAL = {
  unknownSlackUser: "Slack does not know this user",
  deactivated: "Slack user is deactivated",
  bot: "Slack user is a bot",
  noEmail: "Slack profile shows no email",
  notInDirectory: "email is not in the directory",
} as const;

export async function slackInteractionsRoute(app: FastifyInstance, deps: SlackInteractionsDeps) {
  // Its own scope: the raw-body form parser below must not replace the app's form parser.
  await app.register(async (scope) => {
    scope.removeContentTypeParser("application/x-www-form-urlencoded");
    scope.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: BODY_LIMIT_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.post(SLACK_INTERACTIONS_PATH, { bodyLimit: BODY_LIMIT_BYTES }, async (request, reply) => {
      if (typeof request.body !== "string") {
        throw new BridleError(
          "UNSUPPORTED_MEDIA_TYPE",
          "Slack interactions are application/x-www-form-urlencoded",
        );
      }
      const secret = deps.signingSecret();
      if (!secret) request.log.error("Slack signing secret is not configured: every interaction is refused");
      verifySlackSignature({
        secret,
        timestamp: request.headers["x-slack-request-timestamp"],
        signature: request.headers["x-slack-signature"],
        body: request.body,
        now: deps.clock.now(),
      });
      const click = approvalClick(parsePayload(request.body));
      if (!click) return reply.code(200).send();
      return answerClick(deps, click, reply, request.log);
    });
  });
}

/** Throws UNAUTHENTICATED unless the request is Slack's, signed within the replay window. */
export function verifySlackSignature(input: {
  secret: string | undefined;
  timestamp: string | string[] | undefined;
  signature: string | string[] | undefined;
  body: string;
  now: Date;
}): void {
  const { secret, timestamp, signature } = input;
  if (!secret) throw new BridleError("UNAUTHENTICATED", "Slack request signature cannot be verified");
  if (typeof timestamp !== "string" || typeof signature !== "string" || !/^\d{1,12}$/.test(timestamp)) {
    throw new BridleError("UNAUTHENTICATED", "Slack request signature or timestamp is missing");
  }
  if (Math.abs(input.now.getTime() / 1000 - Number(timestamp)) > MAX_TIMESTAMP_SKEW_SECONDS) {
    throw new BridleError("UNAUTHENTICATED", "Slack request timestamp is outside the 5-minute window");
  }
  const expected = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${input.body}`).digest("hex")}`;
  const given = Buffer.from(signature);
  const wanted = Buffer.from(expected);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw new BridleError("UNAUTHENTICATED", "Slack request signature does not match");
  }
}

const PayloadTypeSchema = z.object({ type: z.string() });

const BlockActionsSchema = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: z.string().max(64) }),
  team: z.object({ id: z.string().max(64) }).nullish(),
  channel: z.object({ id: z.string().max(64) }).nullish(),
  container: z.object({ channel_id: z.string().max(64).optional() }).nullish(),
  actions: z
    .array(z.object({ action_id: z.string().max(255), value: z.string().max(2000).optional() }))
    .min(1)
    .max(25),
});

type BlockActions = z.infer<typeof BlockActionsSchema>;

function parsePayload(body: string): unknown {
  const payloads = new URLSearchParams(body).getAll("payload");
  if (payloads.length !== 1)
    throw new BridleError("BAD_REQUEST", "a Slack interaction has one payload field");
  try {
    return JSON.parse(payloads[0] as string);
  } catch {
    throw new BridleError("BAD_REQUEST", "the Slack interaction payload is not JSON");
  }
}

interface Click {
  approvalId: string | null;
  decision: ApprovalVote["decision"];
  userId: string;
  teamId: string | null;
  channelId: string | null;
}

/** The approval button that was clicked, or null for any other interaction (ignored). */
function approvalClick(payload: unknown): Click | null {
  if (PayloadTypeSchema.safeParse(payload).data?.type !== "block_actions") return null;
  const parsed = BlockActionsSchema.safeParse(payload);
  if (!parsed.success) throw new BridleError("BAD_REQUEST", "malformed block_actions payload");
  const p: BlockActions = parsed.data;
  const action = p.actions.find((a) => a.action_id === APPROVE_ACTION_ID || a.action_id === DENY_ACTION_ID);
  if (!action) return null;
  return {
    approvalId: action.value && APPROVAL_ID.test(action.value) ? action.value : null,
    decision: action.action_id === APPROVE_ACTION_ID ? "approve" : "deny",
    userId: p.user.id,
    teamId: p.team?.id ?? null,
    channelId: p.channel?.id ?? p.container?.channel_id ?? null,
  };
}

interface ClickOutcome {
  text: string;
  /** Nothing was recorded: the clicker must be told, privately. */
  refused: boolean;
}

async function answerClick(
  deps: SlackInteractionsDeps,
  click: Click,
  reply: FastifyReply,
  log: FastifyBaseLogger,
): Promise<FastifyReply> {
  const tell = (outcome: ClickOutcome) => {
    if (!outcome.refused || !click.channelId) return;
    deps.slack
      .postEphemeral(click.channelId, click.userId, outcome.text)
      .catch((error: unknown) => log.warn({ err: summary(error) }, "Slack ephemeral answer failed"));
  };
  const work = handleClick(deps, click, log);
  const outcome = await withDeadline(work, deps.ackWithinMs ?? DEFAULT_ACK_WITHIN_MS);
  if (outcome === TIMED_OUT) {
    work.then(tell, (error: unknown) =>
      log.error({ err: error }, "Slack approval click failed after the answer"),
    );
    return ephemeral(reply, "Bridle is recording your decision; the message updates when it is done.");
  }
  tell(outcome);
  return ephemeral(reply, outcome.text);
}

async function handleClick(
  deps: SlackInteractionsDeps,
  click: Click,
  log: FastifyBaseLogger,
): Promise<ClickOutcome> {
  if (click.approvalId === null) return { text: "This button does not name an approval.", refused: true };
  const who = await identify(deps, click, log);
  if ("failed" in who) return { text: who.failed, refused: true };
  if ("refusal" in who) {
    await auditRefusal(deps, click, click.approvalId, who.email, who.refusal);
    return {
      text: `Bridle does not know you as an approver (${who.refusal}), so your click was not counted.`,
      refused: true,
    };
  }
  try {
    const after = await deps.approvals.decide(click.approvalId, who.principal, click.decision, null, "slack");
    return { text: confirmation(after, click.decision), refused: false };
  } catch (error) {
    if (error instanceof BridleError && error.status < 500) {
      return { text: `Your decision was not recorded: ${error.message}.`, refused: true };
    }
    log.error({ err: error, approval_id: click.approvalId }, "approval decision from Slack failed");
    return {
      text: "Bridle could not record your decision; try again, or use `bridle approvals`.",
      refused: true,
    };
  }
}

type Identity = { principal: Principal } | { refusal: string; email: string | null } | { failed: string };

/** Slack user → email (users.info) → groups (directory). Only a known person gets a principal. */
async function identify(
  deps: SlackInteractionsDeps,
  click: Click,
  log: FastifyBaseLogger,
): Promise<Identity> {
  let user: SlackUserInfo;
  try {
    user = await deps.slack.userInfo(click.userId);
  } catch (error) {
    if (
      error instanceof BridleError &&
      (error.code === "UPSTREAM_NOT_FOUND" || error.code === "INVALID_IDENTIFIER")
    ) {
      return { refusal: REFUSAL.unknownSlackUser, email: null };
    }
    log.warn({ err: summary(error) }, "Slack users.info failed");
    return { failed: "Bridle could not look you up in Slack just now, so nothing was recorded. Try again." };
  }
  if (user.deleted) return { refusal: REFUSAL.deactivated, email: user.email };
  if (user.isBot) return { refusal: REFUSAL.bot, email: user.email };
  if (!user.email) return { refusal: REFUSAL.noEmail, email: null };
  const groups = deps.directory(user.email);
  if (groups === null) return { refusal: REFUSAL.notInDirectory, email: user.email };
  return {
    principal: {
      email: user.email.toLowerCase(),
      groups: [...groups],
      deviceCompliant: true,
      authenticatedBy: "oidc",
    },
  };
}

async function auditRefusal(
  deps: SlackInteractionsDeps,
  click: Click,
  approvalId: string,
  email: string | null,
  reason: string,
): Promise<void> {
  // In the request's own trace when it exists, so its timeline shows the refused click.
  const request = await deps.approvals.get(approvalId).catch(() => null);
  const principal: Principal = {
    email: email ?? `slack:${click.userId}`,
    groups: [],
    deviceCompliant: false,
    authenticatedBy: "oidc",
  };
  const event = buildEvent(
    deps.clock,
    { principal, traceId: request?.trace_id ?? deps.newTraceId() },
    "approval_decision",
    {
      tool: request ? { name: request.tool, args: request.args } : null,
      approval: { id: approvalId, decision: click.decision, via: "slack" },
      outcome: { status: "denied", detail: { reason } },
      data: { reason, slack_user: click.userId, slack_team: click.teamId },
    },
  );
  await deps.audit.append(event);
}

function confirmation(request: ApprovalRequest, decision: ApprovalVote["decision"]): string {
  const approved = new Set(request.votes.filter((v) => v.decision === "approve").map((v) => v.approver)).size;
  const verb = decision === "approve" ? "approved" : "denied";
  return `You ${verb} ${request.tool}. Status: ${request.status} (${approved} of ${request.approvals_required} approvals).`;
}

function ephemeral(reply: FastifyReply, text: string): FastifyReply {
  return reply.code(200).send({ response_type: "ephemeral", replace_original: false, text });
}

const TIMED_OUT = Symbol("timed out");

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function summary(error: unknown): Record<string, unknown> {
  if (error instanceof BridleError) return { code: error.code, message: error.message };
  return { message: error instanceof Error ? error.message : "unknown error" };
}
