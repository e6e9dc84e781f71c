import type { CompiledTool } from "../policy/compile.js";
import { REASONS } from "../policy/reasons.js";
import type { RateLimits } from "../policy/schema.js";
import { type BreakerPhase, breakerStatus, trialHeldByAnother } from "./breaker.js";
import { type CallCounts, type LimitState, limitWindows } from "./state.js";

export interface LimitCall {
  /** Resources this call would touch (security-group rules, instances …). */
  resources: number;
  /** The call targets production. */
  production: boolean;
}

export interface LimitVerdict {
  /** Refusals, each at most once, in the order rate limit, breaker, blast radius. */
  reasons: string[];
  /** The call may run only with an approval (never set for a rate limit or production). */
  requireApproval: boolean;
  breaker: BreakerPhase;
}

/**
 * The tool's rate limits, circuit breaker and blast radius for one call, from counters the
 * caller read beforehand. Pure: the same state and `now` give the same verdict.
 */
export function evaluateLimits(
  tool: CompiledTool,
  state: LimitState,
  call: LimitCall,
  now: number,
): LimitVerdict {
  const verdict: LimitVerdict = { reasons: [], requireApproval: false, breaker: "closed" };
  if (tool.rateLimits && rateLimited(tool.rateLimits, state)) verdict.reasons.push(REASONS.rateLimited);
  breakerVerdict(tool, state, now, verdict);
  blastRadiusVerdict(tool, state, call, verdict);
  return verdict;
}

function rateLimited(limits: RateLimits, state: LimitState): boolean {
  return (
    overWindow(limits.per_user, state.user) ||
    overWindow(limits.per_agent, state.agent) ||
    overWindow(limits.per_tool, state.tool)
  );
}

/** This call would be one more than a window allows. */
function overWindow(limit: RateLimits["per_user"], counts: CallCounts | null): boolean {
  if (!limit || !counts) return false;
  return (
    atLeast(counts.minute, limit.max_per_minute) ||
    atLeast(counts.hour, limit.max_per_hour) ||
    atLeast(counts.day, limit.max_per_day)
  );
}

function atLeast(count: number, max: number | undefined): boolean {
  return max !== undefined && count >= max;
}

function breakerVerdict(tool: CompiledTool, state: LimitState, now: number, out: LimitVerdict): void {
  const cb = tool.circuitBreaker;
  const windows = limitWindows(tool).breaker;
  if (!cb || !windows) return;
  const { phase } = breakerStatus(cb, windows, state.breaker, now);
  out.breaker = phase;
  const blocked =
    phase === "open" || (phase === "half_open" && trialHeldByAnother(windows, state.breaker, now));
  if (!blocked) return;
  if (cb.on_open === "deny") out.reasons.push(REASONS.breakerOpen);
  else out.requireApproval = true;
}

function blastRadiusVerdict(tool: CompiledTool, state: LimitState, call: LimitCall, out: LimitVerdict): void {
  const br = tool.blastRadius;
  if (!br) return;
  // A tool with a blast radius is never pointed at production, approval or not.
  if (call.production) {
    out.reasons.push(REASONS.blastRadiusExceeded);
    return;
  }
  const overCall = br.max_resources_per_call !== undefined && call.resources > br.max_resources_per_call;
  const overHour =
    br.max_resources_per_hour !== undefined &&
    state.resourcesLastHour + call.resources > br.max_resources_per_hour;
  if (!overCall && !overHour) return;
  if (br.over_limit === "deny") out.reasons.push(REASONS.blastRadiusExceeded);
  else out.requireApproval = true;
}
