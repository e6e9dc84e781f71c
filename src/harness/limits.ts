import { breakerStatus, trialHeldByAnother } from "../core/limits/breaker.js";
import { emptyLimitState, hasLimits, type LimitState, limitWindows } from "../core/limits/state.js";
import type { CompiledPolicy, CompiledTool } from "../core/policy/compile.js";
import { actingAgent, type Principal } from "../core/principal.js";
import type { CallHistoryStore, CallOutcome } from "../store/call-history-store.js";
import type { Clock } from "./deps.js";

export interface LimitsDeps {
  store: CallHistoryStore;
  /** The policy in force (it may be reloaded between calls). */
  policy: () => CompiledPolicy;
  clock: Clock;
}

/** The counters for one call and the time they were read at: pass both to `decide` as `limits`. */
export interface LimitSnapshot {
  state: LimitState;
  now: number;
}

export interface Limits {
  /**
   * Reads the counters for a call about to be decided. When the tool's breaker is half-open,
   * this also claims the trial for the call (so call it for real calls, not plan checks): at
   * most one caller gets a state that lets it through.
   */
  stateFor(tool: string, principal: Principal, options?: { claimTrial?: boolean }): Promise<LimitSnapshot>;
  /** Records a finished call of a tool with limits, and opens its breaker if that call tripped it. */
  recordOutcome(tool: string, principal: Principal, outcome: CallOutcome, resources: number): Promise<void>;
  /** Records a rollback of one of the tool's changes, and opens its breaker if that tripped it. */
  recordRollback(tool: string): Promise<void>;
}

/** Rate limits, circuit breakers and blast radius: the counters around the pure `evaluateLimits`. */
export function createLimits(deps: LimitsDeps): Limits {
  const compiled = (name: string): CompiledTool | null => {
    const tool = deps.policy().tools.get(name);
    return tool && hasLimits(tool) ? tool : null;
  };
  const who = (principal: Principal) => ({
    user: principal.email.toLowerCase(),
    agent: actingAgent(principal),
  });

  /** Records the breaker's opening when the event just recorded opened it. */
  async function openIfTripped(tool: CompiledTool, now: number): Promise<void> {
    const windows = limitWindows(tool);
    if (!tool.circuitBreaker || !windows.breaker) return;
    const breaker = await deps.store.breakerState(tool.name, now, windows);
    if (breakerStatus(tool.circuitBreaker, windows.breaker, breaker, now).opensNow) {
      await deps.store.recordBreakerOpened(tool.name, iso(now));
    }
  }

  async function claimTrial(tool: CompiledTool, principal: Principal, snap: LimitSnapshot): Promise<void> {
    const { state, now } = snap;
    const cb = tool.circuitBreaker;
    const w = limitWindows(tool).breaker;
    if (!cb || !w || state.breaker.openedAt === null) return;
    if (breakerStatus(cb, w, state.breaker, now).phase !== "half_open") return;
    if (trialHeldByAnother(w, state.breaker, now)) return;
    const cooled = state.breaker.openedAt + w.cooldownMs;
    const claimed = await deps.store.claimTrial({
      tool: tool.name,
      ...who(principal),
      at: iso(now),
      cooledAt: iso(cooled),
      // A claim holds for one cooldown (see trialHeldByAnother).
      heldAfter: iso(Math.max(cooled, now - w.cooldownMs + 1)),
    });
    if (claimed) {
      state.breaker.trialHeldSince = null;
      return;
    }
    // Another call won the trial, or finished since: read again to see which.
    state.breaker = await deps.store.breakerState(tool.name, now, limitWindows(tool));
    if (breakerStatus(cb, w, state.breaker, now).phase === "half_open") state.breaker.trialHeldSince ??= now;
  }

  return {
    async stateFor(name, principal, options = {}) {
      const now = deps.clock.now().getTime();
      const tool = compiled(name);
      if (!tool) return { state: emptyLimitState(), now };
      const { user, agent } = who(principal);
      const state = await deps.store.state(name, user, agent, now, limitWindows(tool));
      const snap = { state, now };
      // A preview (dry run, approval request) only looks; the call that runs claims the trial.
      if (options.claimTrial !== false) await claimTrial(tool, principal, snap);
      return snap;
    },

    async recordOutcome(name, principal, outcome, resources) {
      const tool = compiled(name);
      if (!tool) return;
      const now = deps.clock.now().getTime();
      const touched = Number.isFinite(resources) ? Math.max(0, Math.round(resources)) : 0;
      await deps.store.record({ at: iso(now), tool: name, ...who(principal), outcome, resources: touched });
      await openIfTripped(tool, now);
    },

    async recordRollback(name) {
      const now = deps.clock.now().getTime();
      await deps.store.recordRollback(name, iso(now));
      const tool = compiled(name);
      if (tool) await openIfTripped(tool, now);
    },
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
