/**
 * How long the forwarder waits before its next attempt. Pure: the caller passes the failure
 * count, the clock reading and the random draw, so the schedule is tested exactly.
 */

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** The most a collector's Retry-After may make us wait. */
  retryAfterCapMs: number;
}

/**
 * Exponential backoff with "equal jitter": the delay lies in [d/2, d] for d = initial·2^(n-1)
 * capped at max. Half is fixed so a burst of failures never collapses into a tight loop; the
 * other half is random so replicas recovering together do not hammer the collector in step.
 */
export function failureDelay(policy: BackoffPolicy, consecutiveFailures: number, random: number): number {
  const exponent = Math.max(0, consecutiveFailures - 1);
  // 2^exponent overflows to Infinity long before it matters; min() keeps the result finite.
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(exponent, 52));
  const jitter = Math.min(Math.max(random, 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * jitter);
}

export { retryAfterDelay } from "../core/retry-after.js";
