import type pg from "pg";
import {
  DELEGATION_COLUMNS,
  type DelegationRecord,
  type DelegationRow,
  delegationFromRow,
  delegationParams,
  type IdentityStore,
  type NewDelegation,
  subtreeSql,
} from "../identity-store.js";

/** Delegations in the shared PostgreSQL database: every replica sees every revocation at once. */
export class PostgresIdentityStore implements IdentityStore {
  constructor(private readonly pool: pg.Pool) {}

  async saveDelegation(record: NewDelegation): Promise<void> {
    await this.pool.query(
      `INSERT INTO delegations (id, parent_id, subject, agent, chain, scope, purpose, issued_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      delegationParams(record),
    );
  }

  async getDelegation(id: string): Promise<DelegationRecord | null> {
    const { rows } = await this.pool.query<DelegationRow>(
      `SELECT ${DELEGATION_COLUMNS} FROM delegations WHERE id = $1`,
      [id],
    );
    return rows[0] ? delegationFromRow(rows[0]) : null;
  }

  async recordUse(id: string, at: string): Promise<void> {
    await this.pool.query(
      `UPDATE delegations SET uses = uses + 1,
         last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < $1 THEN $1 ELSE last_used_at END
       WHERE id = $2`,
      [at, id],
    );
  }

  async revoke(id: string, at: string, reason: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `${subtreeSql("$1")}
       UPDATE delegations SET revoked_at = $2, revoke_reason = $3
       WHERE id IN (SELECT id FROM tree) AND revoked_at IS NULL RETURNING id`,
      [id, at, reason],
    );
    return rows.map((r) => r.id);
  }

  async listDelegations(limit: number): Promise<DelegationRecord[]> {
    const { rows } = await this.pool.query<DelegationRow>(
      `SELECT ${DELEGATION_COLUMNS} FROM delegations ORDER BY issued_at DESC, id LIMIT $1`,
      [limit],
    );
    return rows.map(delegationFromRow);
  }

  async close(): Promise<void> {}
}
