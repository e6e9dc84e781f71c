import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { SandboxCredentials } from "./context.js";
import { type SlackChannel, type SlackSeed, type SlackUser, slackSeed } from "./seed/slack.js";

/**
 * The simulated Slack Web API (`connectors.slack.api_url`): POST /<method> with a form or JSON
 * body and `Authorization: Bearer <bot token>`. Like Slack, every answer is HTTP 200 with
 * `{ok:false, error}` on failure (except unknown methods: 404). Posted and updated messages stay
 * in `state.messages`, ephemeral ones in `state.ephemerals`, for tests to read.
 */

export interface SlackMessage {
  channelId: string;
  channelName: string;
  ts: string;
  text: string;
  blocks: unknown[] | null;
  threadTs: string | null;
  /** The author (the bot for everything posted through the API). */
  userId: string;
  editedTs: string | null;
}

/** A message only one user sees (chat.postEphemeral); Slack keeps no copy a bot can read. */
export interface SlackEphemeral {
  channelId: string;
  userId: string;
  text: string;
  messageTs: string;
}

export interface SlackState extends SlackSeed {
  messages: SlackMessage[];
  ephemerals: SlackEphemeral[];
  /** Sequence that keeps message timestamps unique within a second. */
  tsSequence: number;
}

export type { SlackChannel, SlackUser } from "./seed/slack.js";

export function seedSlack(): SlackState {
  return { ...slackSeed(), messages: [], ephemerals: [], tsSequence: 0 };
}

type Args = Record<string, unknown>;
type SlackResult = Record<string, unknown>;

/** A Slack API failure: `{ok:false, error}`. */
class SlackApiError extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

const MAX_TEXT = 40_000;
const MAX_BLOCKS = 50;

const METHODS: Record<string, (args: Args, state: SlackState) => SlackResult> = {
  "auth.test": authTest,
  "chat.postMessage": postMessage,
  "chat.update": updateMessage,
  "chat.postEphemeral": postEphemeral,
  "users.info": usersInfo,
};

export async function registerSlack(
  app: FastifyInstance,
  state: SlackState,
  credentials: SandboxCredentials,
) {
  app.route({
    method: ["GET", "POST"],
    url: "/:method",
    handler: async (request, reply) => {
      reply.header("x-slack-req-id", randomUUID());
      const method = (request.params as { method: string }).method;
      const handler = METHODS[method];
      if (!handler) return reply.code(404).send({ ok: false, error: "unknown_method", req_method: method });
      try {
        const args = readArgs(request);
        checkToken(request, args, credentials.SLACK_BOT_TOKEN);
        return reply.send({ ok: true, ...handler(args, state) });
      } catch (error) {
        if (error instanceof SlackApiError) return reply.send({ ok: false, error: error.error });
        throw error;
      }
    },
  });
}

function readArgs(request: FastifyRequest): Args {
  const query = (request.query ?? {}) as Args;
  const body = request.body && typeof request.body === "object" ? (request.body as Args) : {};
  return { ...query, ...body };
}

function checkToken(request: FastifyRequest, args: Args, expected: string): void {
  const header = request.headers.authorization;
  const bearer = header?.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : undefined;
  // Slack also takes `token` as a form field (never in a JSON body).
  const isJson = (request.headers["content-type"] ?? "").startsWith("application/json");
  const token = bearer ?? (isJson ? undefined : (args.token as string | undefined));
  if (!token) throw new SlackApiError("not_authed");
  if (token !== expected) throw new SlackApiError("invalid_auth");
}

function authTest(_args: Args, state: SlackState): SlackResult {
  return {
    url: `https://${state.team.domain}.slack.com/`,
    team: state.team.name,
    user: state.bot.name,
    team_id: state.team.id,
    user_id: state.bot.userId,
    bot_id: state.bot.botId,
    is_enterprise_install: false,
  };
}

function resolveChannel(state: SlackState, raw: unknown): SlackChannel {
  if (typeof raw !== "string" || raw.trim() === "") throw new SlackApiError("channel_not_found");
  const wanted = raw.trim().replace(/^#/, "");
  const channel = state.channels.find((c) => c.id === wanted || c.name === wanted);
  // A private channel the bot is not in is invisible to it.
  if (!channel || (channel.isPrivate && !channel.botIsMember)) throw new SlackApiError("channel_not_found");
  if (channel.isArchived) throw new SlackApiError("is_archived");
  if (!channel.botIsMember) throw new SlackApiError("not_in_channel");
  return channel;
}

function readContent(args: Args): { text: string; blocks: unknown[] | null } {
  const text = typeof args.text === "string" ? args.text : "";
  let blocks: unknown = args.blocks;
  if (typeof blocks === "string") {
    try {
      blocks = JSON.parse(blocks);
    } catch {
      throw new SlackApiError("invalid_blocks_format");
    }
  }
  if (blocks !== undefined && (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS)) {
    throw new SlackApiError("invalid_blocks");
  }
  const list = Array.isArray(blocks) && blocks.length > 0 ? blocks : null;
  if (text.trim() === "" && list === null) throw new SlackApiError("no_text");
  if (text.length > MAX_TEXT) throw new SlackApiError("msg_too_long");
  return { text, blocks: list };
}

function nextTs(state: SlackState): string {
  state.tsSequence += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(state.tsSequence % 1_000_000).padStart(6, "0")}`;
}

function messageJson(message: SlackMessage, state: SlackState): SlackResult {
  return {
    type: "message",
    user: message.userId,
    bot_id: state.bot.botId,
    app_id: state.bot.appId,
    text: message.text,
    ts: message.ts,
    team: state.team.id,
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    ...(message.editedTs ? { edited: { user: message.userId, ts: message.editedTs } } : {}),
    bot_profile: {
      id: state.bot.botId,
      app_id: state.bot.appId,
      name: state.bot.name,
      deleted: false,
      team_id: state.team.id,
    },
  };
}

function postMessage(args: Args, state: SlackState): SlackResult {
  const channel = resolveChannel(state, args.channel);
  const { text, blocks } = readContent(args);
  const message: SlackMessage = {
    channelId: channel.id,
    channelName: channel.name,
    ts: nextTs(state),
    text,
    blocks,
    threadTs: typeof args.thread_ts === "string" ? args.thread_ts : null,
    userId: state.bot.userId,
    editedTs: null,
  };
  state.messages.push(message);
  return { channel: channel.id, ts: message.ts, message: messageJson(message, state) };
}

function updateMessage(args: Args, state: SlackState): SlackResult {
  const channel = resolveChannel(state, args.channel);
  const message = state.messages.find((m) => m.channelId === channel.id && m.ts === args.ts);
  if (!message) throw new SlackApiError("message_not_found");
  if (message.userId !== state.bot.userId) throw new SlackApiError("cant_update_message");
  const { text, blocks } = readContent(args);
  message.text = text;
  message.blocks = blocks;
  message.editedTs = nextTs(state);
  return { channel: channel.id, ts: message.ts, text: message.text, message: messageJson(message, state) };
}

function postEphemeral(args: Args, state: SlackState): SlackResult {
  const channel = resolveChannel(state, args.channel);
  const user = state.users.find((u) => u.id === args.user);
  // Slack answers the same for an unknown user and one who is not in the channel.
  if (!user || user.deleted || user.isBot) throw new SlackApiError("user_not_in_channel");
  const { text } = readContent(args);
  const messageTs = nextTs(state);
  state.ephemerals.push({ channelId: channel.id, userId: user.id, text, messageTs });
  return { message_ts: messageTs };
}

function userJson(user: SlackUser, state: SlackState): SlackResult {
  return {
    id: user.id,
    team_id: state.team.id,
    name: user.name,
    deleted: user.deleted,
    real_name: user.realName,
    tz: "Asia/Singapore",
    tz_label: "Singapore Standard Time",
    tz_offset: 28800,
    is_admin: user.isAdmin,
    is_owner: false,
    is_bot: user.isBot,
    is_app_user: false,
    profile: {
      title: user.title,
      real_name: user.realName,
      display_name: user.name,
      ...(user.email ? { email: user.email } : {}),
      ...(user.isBot ? { bot_id: state.bot.botId } : {}),
      team: state.team.id,
    },
  };
}

function usersInfo(args: Args, state: SlackState): SlackResult {
  const user = state.users.find((u) => u.id === args.user);
  if (!user) throw new SlackApiError("user_not_found");
  return { user: userJson(user, state) };
}
