import type Database from "better-sqlite3";
import type { ApprovalRequest, ApprovalStatus } from "../../core/approvals/approval.js";
import { type ApprovalRow, type ApprovalStore, approvalColumns } from "../approval-store.js";
import {
  type ChangeSnapshot,
  type ChangeSnapshotStore,
  type SnapshotRow,
  snapshotFromRow,
  snapshotParams,
} from "../change-snapshot-store.js";
import {
  type KillSwitchStore,
  killSwitchFromRow,
  type RuntimeKillSwitch,
  type SwitchRow,
} from "../kill-switch-store.js";

/**
 * Approvals and the runtime kill switch on the ledger's SQLite file (main-thread connection).
 * A change is an IMMEDIATE transaction: it takes the file's write lock before reading, so two
 * processes deciding the same request take turns and the second sees the first's vote.
 */
export class SqliteApprovalStore implements ApprovalStore {
  private readonly stmt;
  private readonly updateTx;

  constructor(db: Database.Database) {
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO approvals (id, trace_id, tool, requester, status, created_at, expires_at, document)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      get: db.prepare<[string], ApprovalRow>("SELECT document FROM approvals WHERE id = ?"),
      save: db.prepare("UPDATE approvals SET status = ?, document = ? WHERE id = ?"),
      claim: db.prepare(
        "UPDATE approvals SET claimed_at = ? WHERE id = ? AND status = 'approved' AND claimed_at IS NULL",
      ),
      listAll: db.prepare<[number], ApprovalRow>(
        "SELECT document FROM approvals ORDER BY created_at DESC, id LIMIT ?",
      ),
      listStatus: db.prepare<[string, number], ApprovalRow>(
        "SELECT document FROM approvals WHERE status = ? ORDER BY created_at DESC, id LIMIT ?",
      ),
      expired: db.prepare<[string, number], { id: string }>(
        "SELECT id FROM approvals WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
      ),
    };
    this.updateTx = db.transaction((id: string, change: (r: ApprovalRequest) => ApprovalRequest | null) => {
      const row = this.stmt.get.get(id);
      if (!row) return null;
      const before = JSON.parse(row.document) as ApprovalRequest;
      const next = change(before);
      if (!next) return { before, after: before };
      this.stmt.save.run(next.status, JSON.stringify(next), id);
      return { before, after: next };
    });
  }

  async create(request: ApprovalRequest): Promise<void> {
    this.stmt.insert.run(...approvalColumns(request));
  }

  async get(id: string): Promise<ApprovalRequest | null> {
    const row = this.stmt.get.get(id);
    return row ? (JSON.parse(row.document) as ApprovalRequest) : null;
  }

  async list(filter: { status?: ApprovalStatus; limit: number }): Promise<ApprovalRequest[]> {
    const rows = filter.status
      ? this.stmt.listStatus.all(filter.status, filter.limit)
      : this.stmt.listAll.all(filter.limit);
    return rows.map((r) => JSON.parse(r.document) as ApprovalRequest);
  }

  async update(id: string, change: (current: ApprovalRequest) => ApprovalRequest | null) {
    return this.updateTx.immediate(id, change);
  }

  async claim(id: string, at: string): Promise<boolean> {
    return this.stmt.claim.run(at, id).changes === 1;
  }

  async expiredIds(now: string, limit: number): Promise<string[]> {
    return this.stmt.expired.all(now, limit).map((r) => r.id);
  }
}

export class SqliteKillSwitchStore implements KillSwitchStore {
  private readonly stmt;

  constructor(db: Database.Database) {
    this.stmt = {
      get: db.prepare<[], SwitchRow>(
        "SELECT settings, updated_at, updated_by, reason, version FROM runtime_kill_switch WHERE id = 1",
      ),
      set: db.prepare<[string, string, string, string], SwitchRow>(
        `INSERT INTO runtime_kill_switch (id, settings, updated_at, updated_by, reason, version)
         VALUES (1, ?, ?, ?, ?, 1)
         ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at,
           updated_by = excluded.updated_by, reason = excluded.reason, version = runtime_kill_switch.version + 1
         RETURNING settings, updated_at, updated_by, reason, version`,
      ),
    };
  }

  async get(): Promise<RuntimeKillSwitch | null> {
    const row = this.stmt.get.get();
    return row ? killSwitchFromRow(row) : null;
  }

  async set(settings: RuntimeKillSwitch["settings"], by: string, reason: string, at: string) {
    return killSwitchFromRow(this.stmt.set.get(JSON.stringify(settings), at, by, reason)!);
  }
}

export class SqliteChangeSnapshotStore implements ChangeSnapshotStore {
  private readonly stmt;

  constructor(db: Database.Database) {
    this.stmt = {
      save: db.prepare(
        `INSERT INTO change_snapshots (trace_id, tool, args, before_state, after_state, taken_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      get: db.prepare<[string], SnapshotRow>(
        "SELECT trace_id, tool, args, before_state, after_state, taken_at, rolled_back_by FROM change_snapshots WHERE trace_id = ?",
      ),
      mark: db.prepare(
        "UPDATE change_snapshots SET rolled_back_by = ? WHERE trace_id = ? AND rolled_back_by IS NULL",
      ),
    };
  }

  async save(snapshot: Omit<ChangeSnapshot, "rolled_back_by">): Promise<void> {
    this.stmt.save.run(...snapshotParams(snapshot));
  }

  async get(traceId: string): Promise<ChangeSnapshot | null> {
    const row = this.stmt.get.get(traceId);
    return row ? snapshotFromRow(row) : null;
  }

  async markRolledBack(traceId: string, byTraceId: string): Promise<boolean> {
    return this.stmt.mark.run(byTraceId, traceId).changes === 1;
  }
}
