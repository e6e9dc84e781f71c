import {
  type BreakerState,
  breakerCountStart,
  type CallCounts,
  DAY_MS,
  HALF_OPEN_HORIZON_MS,
  HOUR_MS,
  type LimitState,
  type LimitWindows,
  MINUTE_MS,
} from "../core/limits/state.js";

/** How a finished call ended. */
export type CallOutcome = "ok" | "error";

export interface CallRecord {
  /** ISO-8601 UTC, when the call finished. */
  at: string;
  tool: string;
  /** The human at the root of the request. */
  user: string;
  /** The acting agent, or null for a human calling directly. */
  agent: string | null;
  outcome: CallOutcome;
  /** Resources the call touched. */
  resources: number;
}

/**
 * Tool calls, rollbacks and breaker openings, for rate limits, circuit breakers and blast-radius
 * caps: in the ledger's database, so every replica counts the same calls. Rows are only
 * inserted; `state` answers with COUNT queries on the (tool, at), (user_id, at) and (agent, at)
 * indexes, each bounded by a window (at most a day), never a scan of the whole history.
 */
export interface CallHistoryStore {
  record(call: CallRecord): Promise<void>;
  /** A rollback of one of the tool's changes (counted by `max_rollbacks`). */
  recordRollback(tool: string, at: string): Promise<void>;
  /** The tool's breaker opened at `at`: its cooldown runs from here. */
  recordBreakerOpened(tool: string, at: string): Promise<void>;
  /**
   * Claims the half-open trial for this call: true for exactly one caller, when no call has
   * finished since `cooledAt` (the cooldown's end) and no claim was made since `heldAfter`.
   */
  claimTrial(claim: TrialClaim): Promise<boolean>;
  /** The tool's breaker counters alone, as of `now` (epoch ms); all zero without `windows.breaker`. */
  breakerState(tool: string, now: number, windows: LimitWindows): Promise<BreakerState>;
  /** The counters for one call of `tool` by `user` (and `agent`), as of `now` (epoch ms). */
  state(
    tool: string,
    user: string,
    agent: string | null,
    now: number,
    windows: LimitWindows,
  ): Promise<LimitState>;
}

export interface TrialClaim {
  tool: string;
  user: string;
  agent: string | null;
  at: string;
  cooledAt: string;
  heldAfter: string;
}

/** The `outcome` column: a finished call's outcome, or one of the tool's events. */
export const OUTCOME = {
  ok: "ok",
  error: "error",
  rolledBack: "rolled_back",
  breakerOpened: "breaker_opened",
  breakerTrial: "breaker_trial",
} as const;

/** Tool events are not a user's calls; their rows carry this user. */
export const NO_USER = "";

const CALLS = "outcome IN ('ok', 'error')";

/** Calls of `@tool` in the last minute, hour and day, narrowed by one indexed column. */
function windowCounts(alias: string, column: "user_id" | "agent" | "tool", key: string): string {
  const resources =
    column === "tool" ? `, COALESCE(SUM(resources) FILTER (WHERE at >= @hour), 0) AS resources` : "";
  return `(SELECT COUNT(*) FILTER (WHERE at >= @minute) AS minute, COUNT(*) FILTER (WHERE at >= @hour) AS hour,
      COUNT(*) AS day${resources}
    FROM tool_calls WHERE ${column} = ${key} AND at >= @day AND at <= @now AND tool = @tool AND ${CALLS}) ${alias}`;
}

/** One row: the user's, the agent's and the tool's windows, and the tool's resources in the hour. */
export const RATE_SQL = `SELECT u.minute AS u_minute, u.hour AS u_hour, u.day AS u_day,
    a.minute AS a_minute, a.hour AS a_hour, a.day AS a_day,
    t.minute AS t_minute, t.hour AS t_hour, t.day AS t_day, t.resources AS resources
  FROM ${windowCounts("u", "user_id", "@user")}
  CROSS JOIN ${windowCounts("a", "agent", "@agent")}
  CROSS JOIN ${windowCounts("t", "tool", "@tool")}`;

export const OPENED_SQL = `SELECT MAX(at) AS at FROM tool_calls
  WHERE tool = @tool AND at >= @lookback AND at <= @now AND outcome = '${OUTCOME.breakerOpened}'`;

export const BREAKER_SQL = `SELECT COUNT(*) FILTER (WHERE ${CALLS}) AS calls,
    COUNT(*) FILTER (WHERE outcome = 'error') AS errors,
    COUNT(*) FILTER (WHERE outcome = '${OUTCOME.rolledBack}') AS rollbacks
  FROM tool_calls WHERE tool = @tool AND at >= @start AND at <= @now`;

/** The first call to finish after the cooldown (the trial's outcome), and the latest trial claim. */
export const TRIAL_SQL = `SELECT
    (SELECT outcome FROM tool_calls WHERE tool = @tool AND at >= @cooled AND at <= @now AND ${CALLS}
      ORDER BY at, seq LIMIT 1) AS outcome,
    (SELECT MAX(at) FROM tool_calls WHERE tool = @tool AND at >= @cooled AND at <= @now
      AND outcome = '${OUTCOME.breakerTrial}') AS held`;

export const INSERT_SQL = `INSERT INTO tool_calls (at, tool, user_id, agent, outcome, resources)
  VALUES (@at, @tool, @user, @agent, @outcome, @resources)`;

export const CLAIM_SQL = `INSERT INTO tool_calls (at, tool, user_id, agent, outcome, resources)
  SELECT @at, @tool, @user, @agent, '${OUTCOME.breakerTrial}', 0
  WHERE NOT EXISTS (SELECT 1 FROM tool_calls WHERE tool = @tool AND at >= @cooledAt AND ${CALLS})
    AND NOT EXISTS (SELECT 1 FROM tool_calls WHERE tool = @tool AND at >= @heldAfter
      AND outcome = '${OUTCOME.breakerTrial}')`;

/**
 * Runs the state queries through one dialect's `query`, which takes the SQL above (`@name`
 * parameters) and the named values, and resolves with the rows.
 */
export type NamedQuery = (sql: string, params: Record<string, unknown>) => Promise<Record<string, unknown>[]>;

export async function readLimitState(
  query: NamedQuery,
  key: { tool: string; user: string; agent: string | null },
  now: number,
  windows: LimitWindows,
): Promise<LimitState> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const [rates, breaker] = await Promise.all([
    query(RATE_SQL, {
      ...key,
      now: iso(now),
      minute: iso(now - MINUTE_MS),
      hour: iso(now - HOUR_MS),
      day: iso(now - DAY_MS),
    }),
    readBreakerState(query, key.tool, now, windows),
  ]);
  const r = rates[0] ?? {};
  return {
    user: countsOf(r, "u"),
    agent: key.agent === null ? null : countsOf(r, "a"),
    tool: countsOf(r, "t"),
    resourcesLastHour: Number(r.resources ?? 0),
    breaker,
  };
}

export async function readBreakerState(
  query: NamedQuery,
  tool: string,
  now: number,
  windows: LimitWindows,
): Promise<BreakerState> {
  const none: BreakerState = {
    calls: 0,
    errors: 0,
    rollbacks: 0,
    openedAt: null,
    trialOutcome: null,
    trialHeldSince: null,
  };
  const w = windows.breaker;
  if (!w) return none;
  const iso = (ms: number) => new Date(ms).toISOString();
  const lookback = iso(now - w.cooldownMs - HALF_OPEN_HORIZON_MS);
  const [opened] = await query(OPENED_SQL, { tool, lookback, now: iso(now) });
  const openedAt = typeof opened?.at === "string" ? Date.parse(opened.at) : null;
  const start = breakerCountStart(w, openedAt, now);
  const [counts] = await query(BREAKER_SQL, { tool, start: iso(start), now: iso(now) });
  const state: BreakerState = {
    ...none,
    calls: Number(counts?.calls ?? 0),
    errors: Number(counts?.errors ?? 0),
    rollbacks: Number(counts?.rollbacks ?? 0),
    openedAt,
  };
  if (openedAt === null || openedAt + w.cooldownMs > now) return state;
  const [trial] = await query(TRIAL_SQL, { tool, cooled: iso(openedAt + w.cooldownMs), now: iso(now) });
  const outcome = trial?.outcome;
  state.trialOutcome = outcome === "ok" || outcome === "error" ? outcome : null;
  state.trialHeldSince = typeof trial?.held === "string" ? Date.parse(trial.held) : null;
  return state;
}

function countsOf(row: Record<string, unknown>, prefix: string): CallCounts {
  return {
    minute: Number(row[`${prefix}_minute`] ?? 0),
    hour: Number(row[`${prefix}_hour`] ?? 0),
    day: Number(row[`${prefix}_day`] ?? 0),
  };
}

/** `@name` parameters → PostgreSQL's `$1 … $n` (each name once, in order of appearance). */
export function positional(
  sql: string,
  params: Record<string, unknown>,
): { text: string; values: unknown[] } {
  const names: string[] = [];
  const text = sql.replace(/@(\w+)/g, (_, name: string) => {
    let index = names.indexOf(name);
    if (index === -1) index = names.push(name) - 1;
    return `$${index + 1}`;
  });
  return { text, values: names.map((n) => params[n]) };
}
