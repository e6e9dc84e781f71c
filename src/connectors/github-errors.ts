import { BridleError } from "../core/errors.js";
import { statusError } from "./http.js";

/**
 * Octokit's errors carry the request (headers included) and the upstream's answer; none of that
 * may reach a caller or a log. These helpers keep only the status, or the BridleError our guarded
 * fetch threw underneath, and build a fresh BridleError from it.
 */

/** Errors from our guarded fetch (timeout, oversize) arrive wrapped by Octokit. */
export function guardedFetchFailure(error: unknown): BridleError | null {
  if (error instanceof BridleError) return error;
  if (error instanceof Error && error.cause instanceof BridleError) return error.cause;
  return null;
}

/** The HTTP status an Octokit RequestError reports, if any (a BridleError's status is ours, not GitHub's). */
export function upstreamStatus(error: unknown): number | null {
  if (error instanceof BridleError) return null;
  const status = error instanceof Error ? (error as Error & { status?: unknown }).status : undefined;
  return typeof status === "number" ? status : null;
}

export function toBridleError(error: unknown): BridleError {
  const guarded = guardedFetchFailure(error);
  if (guarded) return guarded;
  const status = upstreamStatus(error);
  if (status !== null && status >= 300) return statusError("GitHub", status);
  return new BridleError("UPSTREAM_ERROR", "GitHub request failed", { service: "GitHub" });
}
