import type { CircuitBreaker } from "../policy/schema.js";
import type { BreakerState, LimitWindows } from "./state.js";

export type BreakerPhase = "closed" | "open" | "half_open";

export interface BreakerStatus {
  phase: BreakerPhase;
  /**
   * The breaker opens at `now` and the store holds no opening for it yet: the caller records
   * one (`recordBreakerOpened`) so the cooldown runs from here.
   */
  opensNow: boolean;
}

type Windows = NonNullable<LimitWindows["breaker"]>;

/**
 * The breaker at `now`:
 * - open for `cooldown` after its last recorded opening;
 * - then half-open until a call finishes: a success closes it, a failure opens it again;
 * - open as soon as its window (counted from the last cooldown's end) reaches `error_rate`
 *   over at least `min_calls` calls, or `max_rollbacks` rollbacks.
 */
export function breakerStatus(
  cb: CircuitBreaker,
  windows: Windows,
  b: BreakerState,
  now: number,
): BreakerStatus {
  if (b.openedAt !== null && now < b.openedAt + windows.cooldownMs) return { phase: "open", opensNow: false };
  const cooled = b.openedAt !== null;
  if (cooled && b.trialOutcome === "error") return { phase: "open", opensNow: true };
  if (tripped(cb, b)) return { phase: "open", opensNow: true };
  if (cooled && b.trialOutcome === null) return { phase: "half_open", opensNow: false };
  return { phase: "closed", opensNow: false };
}

export function tripped(cb: CircuitBreaker, b: BreakerState): boolean {
  if (cb.max_rollbacks !== undefined && b.rollbacks >= cb.max_rollbacks) return true;
  return b.calls >= cb.min_calls && b.errors / b.calls >= cb.error_rate;
}

/**
 * Half-open lets exactly one call through: the one holding the trial. Another call's claim
 * holds for one cooldown; a trial that reports no outcome in that time (refused for another
 * reason, or its process died) is presumed lost, and the next call may claim the trial.
 */
export function trialHeldByAnother(windows: Windows, b: BreakerState, now: number): boolean {
  return b.trialHeldSince !== null && now < b.trialHeldSince + windows.cooldownMs;
}
