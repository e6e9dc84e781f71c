import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "./server.js";

/** The simulated Slack Web API over raw HTTP: form and JSON bodies, bearer and form tokens. */

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.state.slack.messages.length = 0;
  sandbox.state.slack.ephemerals.length = 0;
});

type SlackAnswer = { ok: boolean; error?: string } & Record<string, unknown>;

async function form(
  method: string,
  args: Record<string, string>,
  token: string | null = sandbox.credentials.SLACK_BOT_TOKEN,
) {
  const res = await fetch(`${sandbox.url}/slack/api/${method}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: new URLSearchParams(args).toString(),
  });
  return { status: res.status, body: (await res.json()) as SlackAnswer };
}

async function json(method: string, args: Record<string, unknown>) {
  const res = await fetch(`${sandbox.url}/slack/api/${method}`, {
    method: "POST",
    headers: {
      "content-type": "application/json; charset=utf-8",
      authorization: `Bearer ${sandbox.credentials.SLACK_BOT_TOKEN}`,
    },
    body: JSON.stringify(args),
  });
  return { status: res.status, body: (await res.json()) as SlackAnswer };
}

describe("authentication", () => {
  it("answers not_authed without a token and invalid_auth with a wrong one, both with HTTP 200", async () => {
    expect(await form("auth.test", {}, null)).toEqual({
      status: 200,
      body: { ok: false, error: "not_authed" },
    });
    expect(await form("auth.test", {}, "xoxb-0-0-wrong")).toEqual({
      status: 200,
      body: { ok: false, error: "invalid_auth" },
    });
  });

  it("accepts the token as a form field too", async () => {
    const { body } = await form("auth.test", { token: sandbox.credentials.SLACK_BOT_TOKEN }, null);
    expect(body.ok).toBe(true);
  });

  it("auth.test describes the bot and the workspace", async () => {
    const { body } = await form("auth.test", {});
    expect(body).toMatchObject({
      ok: true,
      url: "https://zyxbank.slack.com/",
      team: "ZYX Bank",
      user: "bridle",
      user_id: "U07BRIDLE01",
      bot_id: "B07BRIDLE01",
    });
  });

  it("answers an unknown method with 404 unknown_method", async () => {
    expect(await form("chat.delete", {})).toMatchObject({
      status: 404,
      body: { ok: false, error: "unknown_method" },
    });
  });
});

describe("chat.postMessage", () => {
  it.each([["devsecops-change-review"], ["#devsecops-change-review"], ["C07DSOCHG01"]])(
    "posts to %s and keeps the message",
    async (channel) => {
      const { body } = await form("chat.postMessage", { channel, text: "CHG-18422 needs review" });
      expect(body).toMatchObject({ ok: true, channel: "C07DSOCHG01" });
      expect(body.ts).toMatch(/^\d{10}\.\d{6}$/);
      expect(body.message).toMatchObject({
        type: "message",
        text: "CHG-18422 needs review",
        user: "U07BRIDLE01",
        ts: body.ts,
      });
      expect(sandbox.state.slack.messages).toEqual([
        expect.objectContaining({
          channelId: "C07DSOCHG01",
          channelName: "devsecops-change-review",
          text: "CHG-18422 needs review",
          ts: body.ts,
          blocks: null,
        }),
      ]);
    },
  );

  it("takes a JSON body with blocks, and gives every message its own ts", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*High risk*" } }];
    const first = await json("chat.postMessage", { channel: "general", text: "fallback", blocks });
    const second = await json("chat.postMessage", { channel: "general", text: "again" });
    expect(first.body.ok).toBe(true);
    expect(first.body.ts).not.toBe(second.body.ts);
    expect(sandbox.state.slack.messages[0]?.blocks).toEqual(blocks);
  });

  it("parses blocks sent as a JSON string in a form body", async () => {
    const blocks = [{ type: "divider" }];
    const { body } = await form("chat.postMessage", { channel: "general", blocks: JSON.stringify(blocks) });
    expect(body.ok).toBe(true);
    expect(sandbox.state.slack.messages[0]?.blocks).toEqual(blocks);
  });

  it.each([
    [{ channel: "no-such-channel", text: "x" }, "channel_not_found"],
    [{ channel: "security-approvals", text: "x" }, "not_in_channel"],
    [{ channel: "change-review-2023", text: "x" }, "is_archived"],
    [{ channel: "general", text: "   " }, "no_text"],
    [{ channel: "general", text: "x".repeat(40_001) }, "msg_too_long"],
    [{ channel: "general", blocks: "[{" }, "invalid_blocks_format"],
  ])("refuses %j with %s and keeps nothing", async (args, error) => {
    expect(await form("chat.postMessage", args)).toEqual({ status: 200, body: { ok: false, error } });
    expect(sandbox.state.slack.messages).toEqual([]);
  });
});

describe("chat.update", () => {
  it("rewrites the bot's message in place", async () => {
    const posted = await form("chat.postMessage", {
      channel: "devsecops-change-review",
      text: "pending approval",
    });
    const ts = posted.body.ts as string;
    const { body } = await form("chat.update", {
      channel: "C07DSOCHG01",
      ts,
      text: "approved by prod.approver",
    });
    expect(body).toMatchObject({ ok: true, channel: "C07DSOCHG01", ts, text: "approved by prod.approver" });
    expect(sandbox.state.slack.messages).toEqual([
      expect.objectContaining({ ts, text: "approved by prod.approver", editedTs: expect.any(String) }),
    ]);
  });

  it("answers message_not_found for an unknown ts", async () => {
    const { body } = await form("chat.update", { channel: "C07DSOCHG01", ts: "1.000001", text: "x" });
    expect(body).toEqual({ ok: false, error: "message_not_found" });
  });
});

describe("chat.postEphemeral", () => {
  it("keeps a message only one user sees, apart from the channel's history", async () => {
    const { body } = await form("chat.postEphemeral", {
      channel: "change-approvals",
      user: "U07CONTRC01",
      text: "not counted",
    });
    expect(body).toEqual({ ok: true, message_ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    expect(sandbox.state.slack.ephemerals).toEqual([
      { channelId: "C07CHGAPPR1", userId: "U07CONTRC01", text: "not counted", messageTs: body.message_ts },
    ]);
    expect(sandbox.state.slack.messages).toEqual([]);
  });

  it.each([["U0NOBODY000"], ["U07FORMER01"], ["U07BRIDLE01"]])(
    "answers user_not_in_channel for %s",
    async (user) => {
      const { body } = await form("chat.postEphemeral", { channel: "general", user, text: "x" });
      expect(body).toEqual({ ok: false, error: "user_not_in_channel" });
    },
  );
});

describe("chat.update with blocks", () => {
  it("replaces text and blocks, keeps the ts, and refuses updating nothing", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "pending" } }];
    const posted = await json("chat.postMessage", { channel: "change-approvals", text: "pending", blocks });
    const next = [{ type: "section", text: { type: "mrkdwn", text: "approved" } }];
    const { body } = await json("chat.update", {
      channel: "C07CHGAPPR1",
      ts: posted.body.ts,
      text: "approved",
      blocks: next,
    });
    expect(body).toMatchObject({
      ok: true,
      ts: posted.body.ts,
      message: { blocks: next, edited: expect.any(Object) },
    });
    expect(sandbox.state.slack.messages[0]?.blocks).toEqual(next);
    const empty = await json("chat.update", { channel: "C07CHGAPPR1", ts: posted.body.ts, text: "" });
    expect(empty.body).toEqual({ ok: false, error: "no_text" });
  });
});

describe("users.info", () => {
  it("shows a deactivated account as deleted and a guest's hidden email as absent", async () => {
    const former = await form("users.info", { user: "U07FORMER01" });
    expect(former.body).toMatchObject({
      ok: true,
      user: { deleted: true, profile: { email: "former.approver@zyxbank.example" } },
    });
    const guest = await form("users.info", { user: "U07GUEST001" });
    expect((guest.body.user as { profile: Record<string, unknown> }).profile.email).toBeUndefined();
  });

  it("returns a person with their email", async () => {
    const { body } = await form("users.info", { user: "U07CLDSEC01" });
    expect(body).toMatchObject({
      ok: true,
      user: { id: "U07CLDSEC01", is_bot: false, profile: { email: "cloud.security@zyxbank.example" } },
    });
  });

  it("marks the bot as a bot, without an email", async () => {
    const { body } = await form("users.info", { user: "U07BRIDLE01" });
    const user = body.user as { is_bot: boolean; profile: Record<string, unknown> };
    expect(user.is_bot).toBe(true);
    expect(user.profile.email).toBeUndefined();
  });

  it("answers user_not_found", async () => {
    expect((await form("users.info", { user: "U0NOBODY000" })).body).toEqual({
      ok: false,
      error: "user_not_found",
    });
  });
});
