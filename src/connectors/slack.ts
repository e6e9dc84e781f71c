import {
  type ChatPostMessageArguments,
  type ChatUpdateArguments,
  type FetchFunction,
  type Logger,
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from "@slack/web-api";
import type { ConnectorHttpConfig, SlackConfig } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { requireSlackChannel } from "./identifiers.js";
import type { SlackBlock, SlackClient, SlackUserInfo } from "./types.js";

/**
 * Slack Web API connector: the official @slack/web-api WebClient pointed at `slack.api_url`
 * (the real Slack or the bundled simulator), with Bridle's timeout, bounded retries and response
 * size cap, and every failure mapped to a BridleError.
 */

/** Slack `error` codes that mean the caller's input was wrong, not the upstream. */
const CALLER_ERRORS = new Set([
  "no_text",
  "msg_too_long",
  "invalid_blocks",
  "invalid_blocks_format",
  "too_many_attachments",
]);

/** The WebClient logs through this; it stays silent so nothing (token included) reaches stdout. */
const quietLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

export function createSlackClient(
  cfg: SlackConfig,
  http: ConnectorHttpConfig,
  credential: (envName: string) => string | undefined,
): SlackClient {
  const token = credential(cfg.token_env);
  const makeClient = (retries: number) =>
    new WebClient(token, {
      // The WebClient appends the method name to this base; it must end with exactly one "/".
      slackApiUrl: `${cfg.api_url.replace(/\/+$/, "")}/`,
      timeout: http.timeout_ms,
      retryConfig: { retries, factor: 2, minTimeout: 100, maxTimeout: 1_000, randomize: true },
      // A 429 surfaces at once instead of parking the caller for the Retry-After period.
      rejectRateLimitedCalls: true,
      logger: quietLogger,
      fetch: cappedFetch(http.max_response_bytes),
      allowAbsoluteUrls: false,
    });
  const client = makeClient(http.retries);
  // Posting is not idempotent: a retry after a timeout whose post did land would post twice.
  const writer = makeClient(0);

  const call = async <T>(method: string, run: () => Promise<T>): Promise<T> => {
    if (!token)
      throw new BridleError("UPSTREAM_ERROR", `Slack bot token is not configured (${cfg.token_env})`);
    try {
      return await run();
    } catch (error) {
      throw toBridleError(method, error);
    }
  };

  return {
    async postMessage(channel, text, blocks) {
      // Validated before the wire, then passed as given: Slack resolves names and ids alike.
      requireSlackChannel(channel);
      // Advisory posts quote untrusted evidence: never let Slack unfurl links found in it.
      const result = await call("chat.postMessage", () =>
        writer.chat.postMessage({
          channel,
          text,
          ...withBlocks(blocks),
          unfurl_links: false,
          unfurl_media: false,
        } as ChatPostMessageArguments),
      );
      return messageRef("chat.postMessage", result);
    },

    async updateMessage(channel, ts, text, blocks) {
      requireSlackChannel(channel);
      requireMessageTs(ts);
      // An update writes the same content however often it lands, so it may be retried.
      const result = await call("chat.update", () =>
        client.chat.update({ channel, ts, text, ...withBlocks(blocks) } as ChatUpdateArguments),
      );
      return messageRef("chat.update", result);
    },

    async postEphemeral(channel, user, text) {
      requireSlackChannel(channel);
      requireSlackUserId(user);
      await call("chat.postEphemeral", () => writer.chat.postEphemeral({ channel, user, text }));
    },

    async userInfo(user) {
      requireSlackUserId(user);
      const result = await call("users.info", () => client.users.info({ user }));
      return toUserInfo(result.user);
    },

    async authTest() {
      const result = await call("auth.test", () => client.auth.test());
      if (typeof result.user_id !== "string" || typeof result.team !== "string") {
        throw new BridleError("UPSTREAM_ERROR", "Slack auth.test answer lacks user_id or team");
      }
      return { userId: result.user_id, team: result.team };
    },
  };
}

/** Slack user ids: U… for people in the workspace, W… for Enterprise Grid users. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,30}$/;
/** A message timestamp, "1716350400.000100". */
const MESSAGE_TS = /^\d{1,12}\.\d{1,9}$/;

function requireSlackUserId(value: string): void {
  if (!SLACK_USER_ID.test(value)) {
    throw new BridleError("INVALID_IDENTIFIER", "invalid Slack user id", { identifier: "Slack user id" });
  }
}

function requireMessageTs(value: string): void {
  if (!MESSAGE_TS.test(value)) {
    throw new BridleError("INVALID_IDENTIFIER", "invalid Slack message ts", {
      identifier: "Slack message ts",
    });
  }
}

/** Blocks go as given (the WebClient's own block types are stricter than the JSON we build). */
function withBlocks(blocks: readonly SlackBlock[] | undefined): { blocks?: SlackBlock[] } {
  return blocks && blocks.length > 0 ? { blocks: [...blocks] } : {};
}

function messageRef(method: string, result: { channel?: unknown; ts?: unknown }) {
  if (typeof result.channel !== "string" || typeof result.ts !== "string") {
    throw new BridleError("UPSTREAM_ERROR", `Slack ${method} answer lacks channel or ts`);
  }
  return { channel: result.channel, ts: result.ts };
}

interface RawSlackUser {
  id?: string;
  team_id?: string;
  deleted?: boolean;
  is_bot?: boolean;
  profile?: { email?: string };
}

function toUserInfo(user: RawSlackUser | undefined): SlackUserInfo {
  if (!user || typeof user.id !== "string") {
    throw new BridleError("UPSTREAM_ERROR", "Slack users.info answer lacks the user");
  }
  const email = user.profile?.email;
  return {
    id: user.id,
    teamId: typeof user.team_id === "string" ? user.team_id : null,
    email: typeof email === "string" && email.includes("@") ? email : null,
    deleted: user.deleted === true,
    isBot: user.is_bot === true,
  };
}

/**
 * fetch that refuses answers larger than `maxBytes` (declared or actual) so a misbehaving
 * upstream cannot make the process buffer an unbounded body.
 */
function cappedFetch(maxBytes: number): FetchFunction {
  const tooLarge = () => new BridleError("UPSTREAM_ERROR", `Slack answer exceeds ${maxBytes} bytes`);
  return async (url, init) => {
    const response = await fetch(url, init);
    if (Number(response.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge();
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
    return new Response(Buffer.concat(chunks), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function toBridleError(method: string, error: unknown): BridleError {
  if (error instanceof BridleError) return error;
  if (error instanceof WebAPIPlatformError) {
    const slackError = error.data.error;
    const detail = { method, slack_error: slackError };
    if (slackError === "channel_not_found")
      return new BridleError("UPSTREAM_NOT_FOUND", "Slack channel not found", detail);
    if (slackError === "user_not_found")
      return new BridleError("UPSTREAM_NOT_FOUND", "Slack user not found", detail);
    if (slackError === "message_not_found")
      return new BridleError("UPSTREAM_NOT_FOUND", "Slack message not found", detail);
    if (CALLER_ERRORS.has(slackError))
      return new BridleError("BAD_REQUEST", `Slack refused the message: ${slackError}`, detail);
    return new BridleError("UPSTREAM_ERROR", `Slack ${method} failed: ${slackError}`, detail);
  }
  if (error instanceof WebAPIRequestError) {
    const original = error.original;
    if (original instanceof BridleError) return original;
    if (original.name === "TimeoutError" || original.name === "AbortError") {
      return new BridleError("UPSTREAM_TIMEOUT", `Slack ${method} timed out`, { method });
    }
    return new BridleError("UPSTREAM_ERROR", `Slack ${method} request failed`, { method });
  }
  if (error instanceof WebAPIHTTPError) {
    return new BridleError("UPSTREAM_ERROR", `Slack ${method} answered HTTP ${error.statusCode}`, {
      method,
      status: error.statusCode,
    });
  }
  if (error instanceof WebAPIRateLimitedError) {
    return new BridleError("UPSTREAM_ERROR", `Slack ${method} is rate limited`, {
      method,
      retry_after_s: error.retryAfter,
    });
  }
  return new BridleError("UPSTREAM_ERROR", `Slack ${method} failed`, { method });
}
