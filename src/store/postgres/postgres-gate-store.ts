import type pg from "pg";
import type { ApprovalRequest, ApprovalStatus } from "../../core/approvals/approval.js";
import { type ApprovalRow, type ApprovalStore, approvalColumns } from "../approval-store.js";
import {
  type ChangeSnapshot,
  type ChangeSnapshotStore,
  type SnapshotRow,
  snapshotFromRow,
  snapshotParams,
} from "../change-snapshot-store.js";
import { type KillSwitchStore, killSwitchFromRow, type RuntimeKillSwitch } from "../kill-switch-store.js";

/** Approvals in the shared database: `SELECT … FOR UPDATE` makes replicas take turns on a request. */
export class PostgresApprovalStore implements ApprovalStore {
  constructor(private readonly pool: pg.Pool) {}

  async create(request: ApprovalRequest): Promise<void> {
    await this.pool.query(
      `INSERT INTO approvals (id, trace_id, tool, requester, status, created_at, expires_at, document)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      approvalColumns(request),
    );
  }

  async get(id: string): Promise<ApprovalRequest | null> {
    const { rows } = await this.pool.query<ApprovalRow>("SELECT document FROM approvals WHERE id = $1", [id]);
    return rows[0] ? (JSON.parse(rows[0].document) as ApprovalRequest) : null;
  }

  async list(filter: { status?: ApprovalStatus; limit: number }): Promise<ApprovalRequest[]> {
    const { rows } = filter.status
      ? await this.pool.query<ApprovalRow>(
          "SELECT document FROM approvals WHERE status = $1 ORDER BY created_at DESC, id LIMIT $2",
          [filter.status, filter.limit],
        )
      : await this.pool.query<ApprovalRow>(
          "SELECT document FROM approvals ORDER BY created_at DESC, id LIMIT $1",
          [filter.limit],
        );
    return rows.map((r) => JSON.parse(r.document) as ApprovalRequest);
  }

  async update(id: string, change: (current: ApprovalRequest) => ApprovalRequest | null) {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<ApprovalRow>(
        "SELECT document FROM approvals WHERE id = $1 FOR UPDATE",
        [id],
      );
      if (!rows[0]) {
        await client.query("ROLLBACK");
        return null;
      }
      const before = JSON.parse(rows[0].document) as ApprovalRequest;
      const next = change(before);
      if (next) {
        await client.query("UPDATE approvals SET status = $1, document = $2 WHERE id = $3", [
          next.status,
          JSON.stringify(next),
          id,
        ]);
      }
      await client.query("COMMIT");
      return { before, after: next ?? before };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async claim(id: string, at: string): Promise<boolean> {
    const result = await this.pool.query(
      "UPDATE approvals SET claimed_at = $1 WHERE id = $2 AND status = 'approved' AND claimed_at IS NULL",
      [at, id],
    );
    return result.rowCount === 1;
  }

  async expiredIds(now: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      "SELECT id FROM approvals WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
      [now, limit],
    );
    return rows.map((r) => r.id);
  }
}

export class PostgresKillSwitchStore implements KillSwitchStore {
  constructor(private readonly pool: pg.Pool) {}

  async get(): Promise<RuntimeKillSwitch | null> {
    const { rows } = await this.pool.query(
      "SELECT settings, updated_at, updated_by, reason, version FROM runtime_kill_switch WHERE id = 1",
    );
    return rows[0] ? killSwitchFromRow(rows[0]) : null;
  }

  async set(settings: RuntimeKillSwitch["settings"], by: string, reason: string, at: string) {
    const { rows } = await this.pool.query(
      `INSERT INTO runtime_kill_switch (id, settings, updated_at, updated_by, reason, version)
       VALUES (1, $1, $2, $3, $4, 1)
       ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at,
         updated_by = excluded.updated_by, reason = excluded.reason, version = runtime_kill_switch.version + 1
       RETURNING settings, updated_at, updated_by, reason, version`,
      [JSON.stringify(settings), at, by, reason],
    );
    return killSwitchFromRow(rows[0]);
  }
}

export class PostgresChangeSnapshotStore implements ChangeSnapshotStore {
  constructor(private readonly pool: pg.Pool) {}

  async save(snapshot: Omit<ChangeSnapshot, "rolled_back_by">): Promise<void> {
    await this.pool.query(
      `INSERT INTO change_snapshots (trace_id, tool, args, before_state, after_state, taken_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      snapshotParams(snapshot),
    );
  }

  async get(traceId: string): Promise<ChangeSnapshot | null> {
    const { rows } = await this.pool.query<SnapshotRow>(
      "SELECT trace_id, tool, args, before_state, after_state, taken_at, rolled_back_by FROM change_snapshots WHERE trace_id = $1",
      [traceId],
    );
    return rows[0] ? snapshotFromRow(rows[0]) : null;
  }

  async markRolledBack(traceId: string, byTraceId: string): Promise<boolean> {
    const result = await this.pool.query(
      "UPDATE change_snapshots SET rolled_back_by = $1 WHERE trace_id = $2 AND rolled_back_by IS NULL",
      [byTraceId, traceId],
    );
    return result.rowCount === 1;
  }
}
