import type pg from "pg";
import type { BreakerState, LimitState, LimitWindows } from "../../core/limits/state.js";
import {
  type CallHistoryStore,
  type CallRecord,
  CLAIM_SQL,
  INSERT_SQL,
  NO_USER,
  OUTCOME,
  positional,
  readBreakerState,
  readLimitState,
  type TrialClaim,
} from "../call-history-store.js";

type Params = Record<string, unknown>;

/** Call history in the shared PostgreSQL database: every replica counts every replica's calls. */
export class PostgresCallHistoryStore implements CallHistoryStore {
  constructor(private readonly pool: pg.Pool) {}

  async record(call: CallRecord): Promise<void> {
    await this.query(INSERT_SQL, { ...call });
  }

  async recordRollback(tool: string, at: string): Promise<void> {
    await this.insertEvent(tool, at, OUTCOME.rolledBack);
  }

  async recordBreakerOpened(tool: string, at: string): Promise<void> {
    await this.insertEvent(tool, at, OUTCOME.breakerOpened);
  }

  /**
   * Under READ COMMITTED two transactions could both find the trial unclaimed; a transaction
   * lock on the tool's name makes replicas take turns on the check and the insert.
   */
  async claimTrial(claim: TrialClaim): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
        `bridle.breaker_trial:${claim.tool}`,
      ]);
      const { text, values } = positional(CLAIM_SQL, { ...claim });
      const result = await client.query(text, values);
      await client.query("COMMIT");
      return result.rowCount === 1;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  state(
    tool: string,
    user: string,
    agent: string | null,
    now: number,
    windows: LimitWindows,
  ): Promise<LimitState> {
    return readLimitState((sql, params) => this.query(sql, params), { tool, user, agent }, now, windows);
  }

  breakerState(tool: string, now: number, windows: LimitWindows): Promise<BreakerState> {
    return readBreakerState((sql, params) => this.query(sql, params), tool, now, windows);
  }

  private insertEvent(tool: string, at: string, outcome: string): Promise<unknown> {
    return this.query(INSERT_SQL, { at, tool, user: NO_USER, agent: null, outcome, resources: 0 });
  }

  private async query(sql: string, params: Params): Promise<Record<string, unknown>[]> {
    const { text, values } = positional(sql, params);
    return (await this.pool.query<Record<string, unknown>>(text, values)).rows;
  }
}
