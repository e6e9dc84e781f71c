import type Database from "better-sqlite3";
import type { BreakerState, LimitState, LimitWindows } from "../../core/limits/state.js";
import {
  type CallHistoryStore,
  type CallRecord,
  CLAIM_SQL,
  INSERT_SQL,
  NO_USER,
  OUTCOME,
  readBreakerState,
  readLimitState,
  type TrialClaim,
} from "../call-history-store.js";

type Params = Record<string, unknown>;
type Statement = Database.Statement<[Params], Record<string, unknown>>;

/**
 * Call history on the ledger's SQLite file, through the main-thread connection, as delegations
 * are: small inserts that wait their turn behind the ledger's writer thread on the file's lock
 * (busy timeout), and reads that never wait (WAL).
 */
export class SqliteCallHistoryStore implements CallHistoryStore {
  private readonly statements = new Map<string, Statement>();
  private readonly claimTx;

  constructor(private readonly db: Database.Database) {
    const claim = this.prepared(CLAIM_SQL);
    this.claimTx = db.transaction((params: Params) => claim.run(params).changes === 1);
  }

  async record(call: CallRecord): Promise<void> {
    this.prepared(INSERT_SQL).run({ ...call });
  }

  async recordRollback(tool: string, at: string): Promise<void> {
    this.insertEvent(tool, at, OUTCOME.rolledBack);
  }

  async recordBreakerOpened(tool: string, at: string): Promise<void> {
    this.insertEvent(tool, at, OUTCOME.breakerOpened);
  }

  /** IMMEDIATE: the file's write lock is held from the check on, so two processes cannot both win. */
  async claimTrial(claim: TrialClaim): Promise<boolean> {
    return this.claimTx.immediate({ ...claim });
  }

  async state(
    tool: string,
    user: string,
    agent: string | null,
    now: number,
    windows: LimitWindows,
  ): Promise<LimitState> {
    const query = async (sql: string, params: Params) => this.prepared(sql).all(params);
    return readLimitState(query, { tool, user, agent }, now, windows);
  }

  breakerState(tool: string, now: number, windows: LimitWindows): Promise<BreakerState> {
    return readBreakerState(async (sql, params) => this.prepared(sql).all(params), tool, now, windows);
  }

  private insertEvent(tool: string, at: string, outcome: string): void {
    this.prepared(INSERT_SQL).run({ at, tool, user: NO_USER, agent: null, outcome, resources: 0 });
  }

  private prepared(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<[Params], Record<string, unknown>>(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}
