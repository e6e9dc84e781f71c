import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ConnectorHttpSchema, SlackConfigSchema } from "../../src/config/schema.js";
import { createSlackClient } from "../../src/connectors/slack.js";
import type { SlackBlock, SlackClient } from "../../src/connectors/types.js";
import type { AuditEvent } from "../../src/core/audit/event.js";
import {
  APPROVE_ACTION_ID,
  createSlackApprovalNotifier,
  DENY_ACTION_ID,
} from "../../src/harness/slack-approvals.js";
import { parseDirectory } from "../../src/identity/directory.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/server.js";
import { sendError } from "../../src/server/errors.js";
import {
  REFUSAL,
  SLACK_INTERACTIONS_PATH,
  slackInteractionsRoute,
} from "../../src/server/routes/slack-interactions.js";
import {
  clickPayload,
  formBody,
  NOW,
  recordingApprovals,
  sampleRequest,
  signSlack,
} from "../support/slack-approvals.js";

/**
 * POST /v1/slack/interactions with Fastify inject, Slack itself being the simulator over HTTP
 * (users.info, chat.update, chat.postEphemeral) and the approvals service an in-test
 * implementation of its interface that records every decide.
 */

const DIRECTORY = `
prod.approver@zyxbank.example: [grp-ai-prod-approvers]
Release.Approver@ZYXBANK.example: [grp-ai-prod-approvers]
engineer@zyxbank.example: [grp-ai-cloud-change-reviewers, grp-ai-prod-approvers]
former.approver@zyxbank.example: [grp-ai-prod-approvers]
`;
const NOW_S = Math.floor(NOW.getTime() / 1000);
const ID = sampleRequest().id;

let sandbox: Sandbox;
let slack: SlackClient;
beforeAll(async () => {
  sandbox = await startSandbox();
  const credentials = sandbox.credentials as unknown as Record<string, string>;
  slack = createSlackClient(
    SlackConfigSchema.parse({ api_url: `${sandbox.url}/slack/api` }),
    ConnectorHttpSchema.parse({ retries: 0 }),
    (name) => credentials[name],
  );
});
afterAll(() => sandbox.close());

let app: FastifyInstance;
let approvals: ReturnType<typeof recordingApprovals>;
let audit: AuditEvent[];
let secret: string | undefined;
let messageTs: string;

async function buildApp(ackWithinMs?: number) {
  const notifier = createSlackApprovalNotifier({ slack, channelFor: () => "change-approvals" });
  approvals = recordingApprovals(notifier, () => NOW);
  const request = sampleRequest();
  const posted = await notifier.requested(request);
  if (!posted) throw new Error("the approval message was not posted");
  messageTs = posted.ts;
  approvals.requests.set(ID, { ...request, slack: posted });
  audit = [];
  secret = sandbox.credentials.SLACK_SIGNING_SECRET;

  app = Fastify({ logger: false });
  // As src/server/app.ts: every other route gets forms as objects, errors are problem+json.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_r, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.post("/other-form", async (request) => ({ body: request.body }));
  await app.register(async (scope) =>
    slackInteractionsRoute(scope, {
      approvals: approvals.service,
      slack,
      signingSecret: () => secret,
      directory: parseDirectory(DIRECTORY, "test directory"),
      audit: { append: async (event) => void audit.push(event), close: async () => {} },
      clock: { now: () => NOW },
      newTraceId: () => "ai-20261125-100000-000000000000",
      ...(ackWithinMs !== undefined ? { ackWithinMs } : {}),
    }),
  );
  await app.ready();
}

beforeEach(async () => {
  sandbox.state.slack.messages.length = 0;
  sandbox.state.slack.ephemerals.length = 0;
  await buildApp();
});
afterEach(() => app.close());

async function click(
  user: string,
  actionId: string = APPROVE_ACTION_ID,
  opts: { timestamp?: number; signWith?: string; signature?: string; value?: string; payload?: unknown } = {},
) {
  const body = formBody(opts.payload ?? clickPayload({ user, actionId, value: opts.value ?? ID, messageTs }));
  const timestamp = opts.timestamp ?? NOW_S;
  const response = await app.inject({
    method: "POST",
    url: SLACK_INTERACTIONS_PATH,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": opts.signature ?? signSlack(opts.signWith ?? (secret as string), timestamp, body),
    },
    payload: body,
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: response.body ? response.json() : null,
  };
}

/** The clicker got exactly one ephemeral message (sent after the answer, so waited for). */
const toldOnce = (user: string) =>
  vi.waitFor(() => expect(sandbox.state.slack.ephemerals.map((e) => e.userId)).toEqual([user]));

const message = () => sandbox.state.slack.messages.find((m) => m.ts === messageTs);
const blocksText = () => JSON.stringify(message()?.blocks as SlackBlock[]);

describe("happy path", () => {
  it("a signed click by an approver in the directory votes through the service and updates the message", async () => {
    const answer = await click("U07PRDAPR01");
    expect(answer).toMatchObject({
      status: 200,
      body: {
        response_type: "ephemeral",
        replace_original: false,
        text: "You approved aws_modify_security_group. Status: pending (1 of 2 approvals).",
      },
    });
    expect(approvals.calls).toEqual([
      {
        id: ID,
        voter: {
          email: "prod.approver@zyxbank.example",
          groups: ["grp-ai-prod-approvers"],
          deviceCompliant: true,
          authenticatedBy: "oidc",
        },
        decision: "approve",
        comment: null,
        via: "slack",
      },
    ]);
    expect(message()?.editedTs).not.toBeNull();
    expect(blocksText()).toContain("1 of 2 from");
    expect(blocksText()).toContain("prod.approver@zyxbank.example approved");
    expect(blocksText()).toContain(APPROVE_ACTION_ID); // still open for the second approver
    expect(sandbox.state.slack.ephemerals).toEqual([]);
  });

  it("the second approver (email matched without case) completes the request and the buttons go", async () => {
    await click("U07PRDAPR01");
    const answer = await click("U07RELAPR01");
    expect(answer.body.text).toBe(
      "You approved aws_modify_security_group. Status: approved (2 of 2 approvals).",
    );
    expect(approvals.calls[1]?.voter.email).toBe("release.approver@zyxbank.example");
    expect(message()?.text).toMatch(/^Approved: aws_modify_security_group/);
    expect(blocksText()).not.toContain(APPROVE_ACTION_ID);
  });

  it("Deny votes deny", async () => {
    const answer = await click("U07PRDAPR01", DENY_ACTION_ID);
    expect(answer.body.text).toBe("You denied aws_modify_security_group. Status: denied (0 of 2 approvals).");
    expect(approvals.calls[0]?.decision).toBe("deny");
    expect(blocksText()).toContain(":no_entry: Denied");
  });

  it("answers before Slack's deadline when the vote is slow, and the vote still lands", async () => {
    await app.close();
    await buildApp(50);
    approvals.slowDown(400);
    const started = Date.now();
    const answer = await click("U07PRDAPR01");
    expect(Date.now() - started).toBeLessThan(350);
    expect(answer.body.text).toContain("Bridle is recording your decision");
    await vi.waitFor(() => expect(blocksText()).toContain("prod.approver@zyxbank.example approved"));
  });

  it("ignores other interactions and other buttons, with a 200", async () => {
    const view = await click("U07PRDAPR01", APPROVE_ACTION_ID, {
      payload: { type: "view_submission", user: { id: "U07PRDAPR01" } },
    });
    const other = await click("U07PRDAPR01", "something_else");
    expect([view.status, other.status]).toEqual([200, 200]);
    expect(approvals.calls).toEqual([]);
  });

  it("leaves the app's own form parser to every other route", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/other-form",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "grant_type=x&scope=tool%3Ajira_read",
    });
    expect(response.json()).toEqual({ body: { grant_type: "x", scope: "tool:jira_read" } });
  });
});

describe("refusals a clicker sees (200 and an ephemeral message)", () => {
  it("someone Slack knows but the directory does not: refused, audited, no vote", async () => {
    const answer = await click("U07CONTRC01");
    expect(answer.status).toBe(200);
    expect(answer.body.text).toContain(`Bridle does not know you as an approver (${REFUSAL.notInDirectory})`);
    expect(approvals.calls).toEqual([]);
    expect(audit).toEqual([
      expect.objectContaining({
        event_type: "approval_decision",
        trace_id: sampleRequest().trace_id,
        actor: expect.objectContaining({ user: "contractor@zyxbank.example", groups: [] }),
        tool: expect.objectContaining({ name: "aws_modify_security_group" }),
        approval: { id: ID, decision: "approve", via: "slack" },
        outcome: { status: "denied", detail: { reason: REFUSAL.notInDirectory } },
        data: expect.objectContaining({ slack_user: "U07CONTRC01", slack_team: "T05ZYXBANK1" }),
      }),
    ]);
    await vi.waitFor(() =>
      expect(sandbox.state.slack.ephemerals).toEqual([
        expect.objectContaining({ channelId: "C07CHGAPPR1", userId: "U07CONTRC01", text: answer.body.text }),
      ]),
    );
    expect(message()?.editedTs).toBeNull();
  });

  it.each([
    ["U07GUEST001", REFUSAL.noEmail, "slack:U07GUEST001"],
    ["U07FORMER01", REFUSAL.deactivated, "former.approver@zyxbank.example"],
    ["U07BRIDLE01", REFUSAL.bot, "slack:U07BRIDLE01"],
    ["U0NOBODY000", REFUSAL.unknownSlackUser, "slack:U0NOBODY000"],
  ])("%s is refused (%s) and audited", async (user, reason, actor) => {
    const answer = await click(user);
    expect(answer.body.text).toContain(reason);
    expect(approvals.calls).toEqual([]);
    // The bot and people Slack does not know cannot be told (user_not_in_channel): that is logged.
    if (user === "U07GUEST001") await toldOnce(user);
    expect(audit).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ user: actor }),
        outcome: { status: "denied", detail: { reason } },
      }),
    ]);
  });

  it("the service's refusals (the requester approving their own request) become the message", async () => {
    const answer = await click("U07ENGINR01");
    expect(answer).toMatchObject({
      status: 200,
      body: { text: "Your decision was not recorded: the requester cannot decide their own request." },
    });
    expect(approvals.calls).toHaveLength(1);
    await toldOnce("U07ENGINR01");
  });

  it("a second click by the same approver is a conflict, told to them", async () => {
    await click("U07PRDAPR01");
    const answer = await click("U07PRDAPR01");
    expect(answer.body.text).toBe("Your decision was not recorded: this approver has already decided.");
    await toldOnce("U07PRDAPR01");
  });

  it("a button that names no approval", async () => {
    const answer = await click("U07PRDAPR01", APPROVE_ACTION_ID, { value: "../../etc" });
    expect(answer.body.text).toBe("This button does not name an approval.");
    expect(approvals.calls).toEqual([]);
    await toldOnce("U07PRDAPR01");
  });
});

describe("security: only Slack's signed, fresh requests get in (401 problem+json)", () => {
  const expect401 = (answer: Awaited<ReturnType<typeof click>>, detail: string) => {
    expect(answer.status).toBe(401);
    expect(answer.headers["content-type"]).toContain("application/problem+json");
    expect(answer.body).toMatchObject({ status: 401, code: "UNAUTHENTICATED", detail });
    expect(approvals.calls).toEqual([]);
    expect(sandbox.state.slack.ephemerals).toEqual([]);
  };

  it("a signature made with another secret", async () => {
    expect401(
      await click("U07PRDAPR01", APPROVE_ACTION_ID, { signWith: "not-the-secret" }),
      "Slack request signature does not match",
    );
  });

  it("a body changed after signing (the same signature over another approval id)", async () => {
    const signed = formBody(clickPayload({ user: "U07PRDAPR01", actionId: APPROVE_ACTION_ID, value: ID }));
    const answer = await click("U07PRDAPR01", APPROVE_ACTION_ID, {
      value: "apr_SOMETHING_ELSE",
      signature: signSlack(secret as string, NOW_S, signed),
    });
    expect401(answer, "Slack request signature does not match");
  });

  it("a correctly signed request six minutes old (a replay)", async () => {
    expect401(
      await click("U07PRDAPR01", APPROVE_ACTION_ID, { timestamp: NOW_S - 360 }),
      "Slack request timestamp is outside the 5-minute window",
    );
  });

  it("a timestamp six minutes in the future", async () => {
    expect401(
      await click("U07PRDAPR01", APPROVE_ACTION_ID, { timestamp: NOW_S + 360 }),
      "Slack request timestamp is outside the 5-minute window",
    );
  });

  it("a malformed signature, or none", async () => {
    expect401(
      await click("U07PRDAPR01", APPROVE_ACTION_ID, { signature: "v0=abc" }),
      "Slack request signature does not match",
    );
    const body = formBody(clickPayload({ user: "U07PRDAPR01", actionId: APPROVE_ACTION_ID, value: ID }));
    const response = await app.inject({
      method: "POST",
      url: SLACK_INTERACTIONS_PATH,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: body,
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toBe("Slack request signature or timestamp is missing");
  });

  it("no signing secret configured: everything is refused", async () => {
    const body = formBody(clickPayload({ user: "U07PRDAPR01", actionId: APPROVE_ACTION_ID, value: ID }));
    const signature = signSlack(secret as string, NOW_S, body);
    secret = undefined;
    expect401(
      await click("U07PRDAPR01", APPROVE_ACTION_ID, { signature }),
      "Slack request signature cannot be verified",
    );
  });

  it("a JSON body cannot be verified and is refused (415)", async () => {
    const response = await app.inject({
      method: "POST",
      url: SLACK_INTERACTIONS_PATH,
      headers: { "content-type": "application/json" },
      payload: { payload: "{}" },
    });
    expect(response.statusCode).toBe(415);
    expect(approvals.calls).toEqual([]);
  });

  it("a signed but malformed payload is a 400", async () => {
    const body = "payload=%7Bnot-json";
    const response = await app.inject({
      method: "POST",
      url: SLACK_INTERACTIONS_PATH,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(NOW_S),
        "x-slack-signature": signSlack(secret as string, NOW_S, body),
      },
      payload: body,
    });
    expect(response.statusCode).toBe(400);
    expect(approvals.calls).toEqual([]);
  });
});
