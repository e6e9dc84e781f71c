import { parseDurationMs } from "../duration.js";
import type { CompiledTool } from "../policy/compile.js";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * How long after its cooldown an opening is still remembered while no trial has run. An older
 * opening is forgotten and the breaker judged on its window alone, so the lookup stays bounded.
 */
export const HALF_OPEN_HORIZON_MS = DAY_MS;

/** Calls (finished, "ok" or "error") in the windows ending at `now`, this one not included. */
export interface CallCounts {
  minute: number;
  hour: number;
  day: number;
}

/**
 * What the store knows about one tool's breaker at `now`. Counts cover the breaker's window,
 * but never reach back before the last cooldown ended: the failures that opened the breaker
 * are not counted again once it has cooled down.
 */
export interface BreakerState {
  calls: number;
  errors: number;
  rollbacks: number;
  /** When the breaker last opened (epoch ms), or null when no opening is remembered. */
  openedAt: number | null;
  /** The outcome of the first call that finished after the last cooldown ended: the trial. */
  trialOutcome: "ok" | "error" | null;
  /** When another call claimed the half-open trial (epoch ms); null when unclaimed or ours. */
  trialHeldSince: number | null;
}

/** The counters the gateway needs for one call of one tool, by one user and agent. */
export interface LimitState {
  /** This user's calls of the tool. */
  user: CallCounts;
  /** The acting agent's calls of the tool; null when no agent acts (per_agent then does not apply). */
  agent: CallCounts | null;
  /** Everyone's calls of the tool. */
  tool: CallCounts;
  /** Resources the tool's calls touched in the last hour, by everyone. */
  resourcesLastHour: number;
  breaker: BreakerState;
}

/** The breaker's durations, which the store needs to count the right rows. */
export interface LimitWindows {
  breaker: { windowMs: number; cooldownMs: number } | null;
}

export function noCalls(): CallCounts {
  return { minute: 0, hour: 0, day: 0 };
}

export function emptyLimitState(): LimitState {
  return {
    user: noCalls(),
    agent: null,
    tool: noCalls(),
    resourcesLastHour: 0,
    breaker: {
      calls: 0,
      errors: 0,
      rollbacks: 0,
      openedAt: null,
      trialOutcome: null,
      trialHeldSince: null,
    },
  };
}

export function hasLimits(tool: CompiledTool): boolean {
  return tool.rateLimits !== null || tool.circuitBreaker !== null || tool.blastRadius !== null;
}

/** The schema has already refused durations that do not parse; the fallbacks are its defaults. */
export function limitWindows(tool: CompiledTool): LimitWindows {
  const cb = tool.circuitBreaker;
  if (!cb) return { breaker: null };
  return {
    breaker: {
      windowMs: parseDurationMs(cb.window) ?? 10 * MINUTE_MS,
      cooldownMs: parseDurationMs(cb.cooldown) ?? 15 * MINUTE_MS,
    },
  };
}

/**
 * Where the breaker's count starts at `now`: its window, cut at the end of the last cooldown
 * once that has passed. Shared by the store (which counts) and the tests (which check it).
 */
export function breakerCountStart(
  windows: NonNullable<LimitWindows["breaker"]>,
  openedAt: number | null,
  now: number,
): number {
  const windowStart = now - windows.windowMs;
  if (openedAt === null) return windowStart;
  const cooled = openedAt + windows.cooldownMs;
  return cooled <= now ? Math.max(windowStart, cooled) : windowStart;
}
