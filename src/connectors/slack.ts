import {
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
import type { SlackClient } from "./types.js";

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
    async postMessage(channel, text) {
      // Validated before the wire, then passed as given: Slack resolves names and ids alike.
      requireSlackChannel(channel);
      // Advisory posts quote untrusted evidence: never let Slack unfurl links found in it.
      const result = await call("chat.postMessage", () =>
        writer.chat.postMessage({ channel, text, unfurl_links: false, unfurl_media: false }),
      );
      if (typeof result.channel !== "string" || typeof result.ts !== "string") {
        throw new BridleError("UPSTREAM_ERROR", "Slack chat.postMessage answer lacks channel or ts");
      }
      return { channel: result.channel, ts: result.ts };
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
