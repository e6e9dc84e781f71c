import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ConnectorHttpSchema, SlackConfigSchema } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { createSlackClient } from "./slack.js";

/** The Slack connector (the official WebClient) against the bundled simulator over HTTP. */

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.clearFaults();
  sandbox.state.slack.messages.length = 0;
  sandbox.state.slack.ephemerals.length = 0;
  vi.restoreAllMocks();
});

function client(
  http: Partial<{ timeout_ms: number; retries: number; max_response_bytes: number }> = {},
  token?: string,
) {
  const cfg = SlackConfigSchema.parse({ api_url: `${sandbox.url}/slack/api` });
  const credentials: Record<string, string> = {
    ...sandbox.credentials,
    ...(token ? { SLACK_BOT_TOKEN: token } : {}),
  };
  return createSlackClient(
    cfg,
    ConnectorHttpSchema.parse({ retries: 0, ...http }),
    (name) => credentials[name],
  );
}

async function bridleError(promise: Promise<unknown>): Promise<BridleError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridleError);
  return error as BridleError;
}

describe("happy path", () => {
  it("posts to the review channel by name and returns the channel id and ts", async () => {
    const result = await client().postMessage(
      "devsecops-change-review",
      "CHG-18422 requires Cloud Security review",
    );
    expect(result.channel).toBe("C07DSOCHG01");
    expect(result.ts).toMatch(/^\d+\.\d{6}$/);
    expect(sandbox.state.slack.messages).toEqual([
      expect.objectContaining({
        channelName: "devsecops-change-review",
        text: "CHG-18422 requires Cloud Security review",
        ts: result.ts,
      }),
    ]);
  });

  it("works with an api_url that already ends in a slash", async () => {
    const cfg = SlackConfigSchema.parse({ api_url: `${sandbox.url}/slack/api/` });
    const slack = createSlackClient(cfg, ConnectorHttpSchema.parse({}), (name) =>
      name === "SLACK_BOT_TOKEN" ? sandbox.credentials.SLACK_BOT_TOKEN : undefined,
    );
    await expect(slack.authTest()).resolves.toEqual({ userId: "U07BRIDLE01", team: "ZYX Bank" });
  });
});

describe("Block Kit messages, updates, ephemeral messages and users", () => {
  const blocks = [
    { type: "section", text: { type: "mrkdwn", text: "*Approval needed*" } },
    {
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: "bridle_approve",
          value: "apr_1",
          text: { type: "plain_text", text: "Approve" },
        },
      ],
    },
  ];

  it("posts blocks with a text fallback", async () => {
    const posted = await client().postMessage("change-approvals", "Approval needed", blocks);
    expect(posted.channel).toBe("C07CHGAPPR1");
    expect(sandbox.state.slack.messages).toEqual([
      expect.objectContaining({ ts: posted.ts, text: "Approval needed", blocks }),
    ]);
  });

  it("updates the bot's message in place (chat.update)", async () => {
    const posted = await client().postMessage("change-approvals", "Approval needed", blocks);
    const next = [{ type: "section", text: { type: "mrkdwn", text: "*Approved*" } }];
    await expect(client().updateMessage(posted.channel, posted.ts, "Approved", next)).resolves.toEqual(
      posted,
    );
    expect(sandbox.state.slack.messages).toEqual([
      expect.objectContaining({
        ts: posted.ts,
        text: "Approved",
        blocks: next,
        editedTs: expect.any(String),
      }),
    ]);
  });

  it("retries an update (it is idempotent), unlike a post", async () => {
    const posted = await client().postMessage("general", "v1");
    sandbox.injectFault({ pathPrefix: "/slack/api/chat.update", status: 503, times: 1 });
    await expect(client({ retries: 1 }).updateMessage(posted.channel, posted.ts, "v2")).resolves.toEqual(
      posted,
    );
    expect(sandbox.state.slack.messages[0]?.text).toBe("v2");
  });

  it("maps an update of an unknown message to UPSTREAM_NOT_FOUND", async () => {
    const error = await bridleError(client().updateMessage("C07CHGAPPR1", "1.000001", "x"));
    expect(error.code).toBe("UPSTREAM_NOT_FOUND");
    expect(error.detail).toEqual({ method: "chat.update", slack_error: "message_not_found" });
  });

  it("posts an ephemeral message to one user", async () => {
    await client().postEphemeral("C07CHGAPPR1", "U07CONTRC01", "not counted");
    expect(sandbox.state.slack.ephemerals).toEqual([
      expect.objectContaining({ channelId: "C07CHGAPPR1", userId: "U07CONTRC01", text: "not counted" }),
    ]);
    expect(sandbox.state.slack.messages).toEqual([]);
  });

  it("reads a user's email (users.info)", async () => {
    await expect(client().userInfo("U07PRDAPR01")).resolves.toEqual({
      id: "U07PRDAPR01",
      teamId: "T05ZYXBANK1",
      email: "prod.approver@zyxbank.example",
      deleted: false,
      isBot: false,
    });
  });

  it("reports a hidden email as null, and a deactivated account and the bot as such", async () => {
    await expect(client().userInfo("U07GUEST001")).resolves.toMatchObject({ email: null, deleted: false });
    await expect(client().userInfo("U07FORMER01")).resolves.toMatchObject({ deleted: true });
    await expect(client().userInfo("U07BRIDLE01")).resolves.toMatchObject({ email: null, isBot: true });
  });

  it("maps user_not_found to UPSTREAM_NOT_FOUND", async () => {
    const error = await bridleError(client().userInfo("U0NOBODY000"));
    expect(error.code).toBe("UPSTREAM_NOT_FOUND");
    expect(error.detail).toEqual({ method: "users.info", slack_error: "user_not_found" });
  });

  it.each([["../admin"], ["u07lower"], ["U07PRDAPR01&token=x"]])(
    "rejects the user id %s before the wire",
    async (user) => {
      expect((await bridleError(client().userInfo(user))).code).toBe("INVALID_IDENTIFIER");
      expect((await bridleError(client().postEphemeral("general", user, "x"))).code).toBe(
        "INVALID_IDENTIFIER",
      );
    },
  );

  it("rejects a malformed message ts before the wire", async () => {
    expect((await bridleError(client().updateMessage("general", "1/../2", "x"))).code).toBe(
      "INVALID_IDENTIFIER",
    );
  });
});

describe("errors", () => {
  it("maps channel_not_found to UPSTREAM_NOT_FOUND", async () => {
    const error = await bridleError(client().postMessage("no-such-channel", "x"));
    expect(error.code).toBe("UPSTREAM_NOT_FOUND");
    expect(error.detail).toEqual({ method: "chat.postMessage", slack_error: "channel_not_found" });
  });

  it("maps not_in_channel to UPSTREAM_ERROR", async () => {
    const error = await bridleError(client().postMessage("security-approvals", "x"));
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.detail).toMatchObject({ slack_error: "not_in_channel" });
  });

  it("maps a refused message (msg_too_long) to BAD_REQUEST", async () => {
    const error = await bridleError(client().postMessage("general", "x".repeat(40_001)));
    expect(error.code).toBe("BAD_REQUEST");
  });

  it("rejects a malformed channel before the wire", async () => {
    const error = await bridleError(client().postMessage("../admin", "x"));
    expect(error.code).toBe("INVALID_IDENTIFIER");
    expect(sandbox.state.slack.messages).toEqual([]);
  });

  it("maps a server 5xx to UPSTREAM_ERROR after bounded retries", async () => {
    sandbox.injectFault({ pathPrefix: "/slack/api", status: 500, times: 2 });
    const error = await bridleError(client({ retries: 1 }).authTest());
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.detail).toMatchObject({ status: 500 });
  });

  it("recovers when a retry succeeds", async () => {
    sandbox.injectFault({ pathPrefix: "/slack/api", status: 503, times: 1 });
    await expect(client({ retries: 1 }).authTest()).resolves.toEqual({
      userId: "U07BRIDLE01",
      team: "ZYX Bank",
    });
  });

  it("never retries a post (a retried post could land twice)", async () => {
    sandbox.injectFault({ pathPrefix: "/slack/api/chat.postMessage", status: 503, times: 1 });
    const before = sandbox.state.slack.messages.length;
    const error = await bridleError(client({ retries: 2 }).postMessage("general", "once"));
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(sandbox.state.slack.messages.length).toBe(before);
    await expect(client({ retries: 2 }).postMessage("general", "once")).resolves.toMatchObject({
      channel: expect.any(String),
    });
    expect(sandbox.state.slack.messages.length).toBe(before + 1);
  });

  it("maps a slow upstream to UPSTREAM_TIMEOUT", async () => {
    sandbox.injectFault({ pathPrefix: "/slack/api", delayMs: 2000, times: 1 });
    const started = Date.now();
    const error = await bridleError(client({ timeout_ms: 300 }).authTest());
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("refuses an answer larger than max_response_bytes", async () => {
    const error = await bridleError(
      client({ max_response_bytes: 1024 }).postMessage("general", "y".repeat(4000)),
    );
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.message).toContain("exceeds 1024 bytes");
  });
});

describe("security", () => {
  it("maps a bad token (invalid_auth) to UPSTREAM_ERROR without echoing the token", async () => {
    const wrong = "xoxb-000000000000-000000000000-wrongwrongwrong";
    const error = await bridleError(client({}, wrong).authTest());
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.detail).toMatchObject({ slack_error: "invalid_auth" });
    expect(JSON.stringify({ message: error.message, detail: error.detail })).not.toContain(wrong);
  });

  it("fails without a token before any request", async () => {
    const cfg = SlackConfigSchema.parse({ api_url: `${sandbox.url}/slack/api` });
    const slack = createSlackClient(cfg, ConnectorHttpSchema.parse({}), () => undefined);
    const error = await bridleError(slack.postMessage("general", "x"));
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.message).toContain("SLACK_BOT_TOKEN");
    expect(sandbox.state.slack.messages).toEqual([]);
  });

  it("keeps the WebClient's own logging silent, even on failures", async () => {
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => {}),
    );
    sandbox.injectFault({ pathPrefix: "/slack/api", delayMs: 1000, times: 1 });
    await bridleError(client({ timeout_ms: 200 }).authTest());
    await client().postMessage("general", "hello");
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});
