import { BridleError } from "../core/errors.js";
import { retryAfterDelay } from "../core/retry-after.js";

/**
 * The one place where connectors meet the network: a fetch wrapper with a per-attempt timeout,
 * bounded retries (exponential backoff with full jitter, Retry-After honoured up to a cap), a
 * response-size cap enforced while streaming, and a JSON parse guard. Every failure becomes a
 * BridleError whose message names the service and the status only — never the upstream body
 * (it can echo our request, including identifiers or tokens) and never a credential.
 */

export interface UpstreamHttpOptions {
  /** Human name of the upstream for error messages ("Jira", "GitHub"). */
  service: string;
  timeoutMs: number;
  /** Retries after the first attempt (0 = one attempt only). */
  retries: number;
  maxResponseBytes: number;
  /** Injected for tests; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
}

export interface UpstreamRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Whether repeating the request after an ambiguous failure is harmless. A POST that timed out
   * or got a 5xx may still have been applied upstream (Jira commits the comment, then the
   * connection drops); retrying it would post the comment twice, so non-idempotent requests are
   * retried only on 429, where the upstream states it refused the request before doing anything.
   */
  idempotent: boolean;
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 2_000;
const RETRY_AFTER_CAP_MS = 5_000;

type Attempt = { kind: "response"; response: UpstreamResponse } | { kind: "failure"; error: BridleError };

/** Sends the request with retries; returns the final response whatever its status. */
export async function sendUpstream(
  request: UpstreamRequest,
  options: UpstreamHttpOptions,
): Promise<UpstreamResponse> {
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt += 1) {
    const result = await attemptOnce(request, options);
    const retryDelay = attempt < options.retries ? retryDelayFor(result, request, attempt, options) : null;
    if (retryDelay === null) {
      if (result.kind === "failure") throw result.error;
      return result.response;
    }
    await sleep(retryDelay);
  }
}

/** Sends the request and returns the parsed JSON body of a 2xx answer; maps everything else. */
export async function requestJson(request: UpstreamRequest, options: UpstreamHttpOptions): Promise<unknown> {
  const response = await sendUpstream(request, options);
  if (response.status < 200 || response.status >= 300) throw statusError(options.service, response.status);
  try {
    return JSON.parse(new TextDecoder().decode(response.body));
  } catch {
    throw new BridleError("UPSTREAM_ERROR", `${options.service} returned a malformed response`, {
      service: options.service,
    });
  }
}

/**
 * A `fetch` with the same guards, for SDKs that accept a fetch implementation (Octokit). The
 * body is buffered (bounded by maxResponseBytes) and handed back as a fresh Response; GET and
 * HEAD count as idempotent. Failures are thrown as BridleError; the SDK wraps them, and the
 * connector unwraps them from the SDK error's `cause`.
 */
export function guardedFetch(options: UpstreamHttpOptions): typeof fetch {
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? "GET").toUpperCase();
    const response = await sendUpstream(
      {
        method,
        url,
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        ...(typeof init?.body === "string" ? { body: init.body } : {}),
        idempotent: method === "GET" || method === "HEAD",
      },
      options,
    );
    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      throw statusError(options.service, response.status);
    }
    const nullBody = [101, 204, 205, 304].includes(response.status);
    return new Response(nullBody ? null : response.body, {
      status: response.status,
      headers: response.headers,
    });
  };
}

/** Maps a non-2xx status to a BridleError without looking at the body. */
export function statusError(service: string, status: number): BridleError {
  const detail = { service, status };
  if (status === 404) return new BridleError("UPSTREAM_NOT_FOUND", `${service}: not found (404)`, detail);
  if (status === 401 || status === 403) {
    return new BridleError("UPSTREAM_ERROR", `${service} rejected the credentials (${status})`, detail);
  }
  if (status === 429)
    return new BridleError("UPSTREAM_ERROR", `${service} rate limit exceeded (429)`, detail);
  if (status >= 500) return new BridleError("UPSTREAM_ERROR", `${service} failed (${status})`, detail);
  if (status >= 300 && status < 400) {
    return new BridleError(
      "UPSTREAM_ERROR",
      `${service} redirected the request (${status}); not followed`,
      detail,
    );
  }
  return new BridleError("UPSTREAM_ERROR", `${service} refused the request (${status})`, detail);
}

async function attemptOnce(request: UpstreamRequest, options: UpstreamHttpOptions): Promise<Attempt> {
  // One signal covers the headers and the body read, so a slow-dripping body also times out.
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers ?? {},
      ...(request.body !== undefined ? { body: request.body } : {}),
      signal,
      // A redirect would carry our credentials to wherever the upstream points; refuse it.
      redirect: "manual",
    });
    const body = await readCapped(response, options);
    return { kind: "response", response: { status: response.status, headers: response.headers, body } };
  } catch (error) {
    return { kind: "failure", error: networkError(error, options) };
  }
}

async function readCapped(response: Response, options: UpstreamHttpOptions): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > options.maxResponseBytes) {
    await response.body?.cancel();
    throw oversize(options);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > options.maxResponseBytes) {
      await reader.cancel();
      throw oversize(options);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function oversize(options: UpstreamHttpOptions): BridleError {
  return new BridleError(
    "UPSTREAM_ERROR",
    `${options.service} response exceeded ${options.maxResponseBytes} bytes`,
    { service: options.service, reason: "response_too_large" },
  );
}

function networkError(error: unknown, options: UpstreamHttpOptions): BridleError {
  if (error instanceof BridleError) return error;
  const detail = { service: options.service };
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new BridleError(
      "UPSTREAM_TIMEOUT",
      `${options.service} did not answer within ${options.timeoutMs} ms`,
      detail,
    );
  }
  return new BridleError("UPSTREAM_UNAVAILABLE", `${options.service} is unreachable`, detail);
}

/** Milliseconds to wait before the next attempt, or null when this outcome must not be retried. */
function retryDelayFor(
  result: Attempt,
  request: UpstreamRequest,
  attempt: number,
  options: UpstreamHttpOptions,
): number | null {
  if (result.kind === "failure") {
    const transient =
      result.error.code === "UPSTREAM_TIMEOUT" || result.error.code === "UPSTREAM_UNAVAILABLE";
    return transient && request.idempotent ? backoff(attempt, options) : null;
  }
  const { status, headers } = result.response;
  if (status === 429 || (status >= 500 && request.idempotent)) {
    return retryAfterMs(headers.get("retry-after")) ?? backoff(attempt, options);
  }
  return null;
}

function backoff(attempt: number, options: UpstreamHttpOptions): number {
  const random = options.random ?? Math.random;
  return Math.floor(random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt + 1)));
}

/** Retry-After is either delta-seconds or an HTTP date; either way it is capped. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  return retryAfterDelay(header, now, RETRY_AFTER_CAP_MS);
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads a credential by env-var name at call time (so rotation needs no restart); never logs it. */
export function requireCredential(
  service: string,
  credential: (envName: string) => string | undefined,
  envName: string,
): string {
  const value = credential(envName);
  if (value === undefined || value === "") {
    throw new BridleError("UPSTREAM_UNAVAILABLE", `${service} credential ${envName} is not set`, {
      service,
      credential: envName,
    });
  }
  return value;
}

/** HTTP Basic authorization (Atlassian Cloud: account email + API token). */
export function basicAuthorization(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`, "utf8").toString("base64")}`;
}

/** The options for one upstream, from the shared connector HTTP config. */
export function upstreamOptions(
  service: string,
  http: { timeout_ms: number; retries: number; max_response_bytes: number },
): UpstreamHttpOptions {
  return {
    service,
    timeoutMs: http.timeout_ms,
    retries: http.retries,
    maxResponseBytes: http.max_response_bytes,
  };
}

/** Joins a configured base URL (with or without a trailing slash) and an absolute API path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}
