import type Database from "better-sqlite3";
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

/**
 * Delegations on the ledger's SQLite file, through the main-thread connection. These writes
 * are rare and small (an exchange, a revocation, a use at most once a minute per delegation)
 * and wait their turn behind the ledger's writer thread on the file's lock (busy timeout).
 */
export class SqliteIdentityStore implements IdentityStore {
  private readonly stmt;

  constructor(db: Database.Database) {
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO delegations (id, parent_id, subject, agent, chain, scope, purpose, issued_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      get: db.prepare<[string], DelegationRow>(`SELECT ${DELEGATION_COLUMNS} FROM delegations WHERE id = ?`),
      use: db.prepare<[{ at: string; id: string }]>(
        `UPDATE delegations SET uses = uses + 1,
           last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < @at THEN @at ELSE last_used_at END
         WHERE id = @id`,
      ),
      revoke: db.prepare<[{ id: string; at: string; reason: string }], { id: string }>(
        `${subtreeSql("@id")}
         UPDATE delegations SET revoked_at = @at, revoke_reason = @reason
         WHERE id IN (SELECT id FROM tree) AND revoked_at IS NULL RETURNING id`,
      ),
      list: db.prepare<[number], DelegationRow>(
        `SELECT ${DELEGATION_COLUMNS} FROM delegations ORDER BY issued_at DESC, id LIMIT ?`,
      ),
    };
  }

  async saveDelegation(record: NewDelegation): Promise<void> {
    this.stmt.insert.run(...delegationParams(record));
  }

  async getDelegation(id: string): Promise<DelegationRecord | null> {
    const row = this.stmt.get.get(id);
    return row ? delegationFromRow(row) : null;
  }

  async recordUse(id: string, at: string): Promise<void> {
    this.stmt.use.run({ at, id });
  }

  async revoke(id: string, at: string, reason: string): Promise<string[]> {
    return this.stmt.revoke.all({ id, at, reason }).map((r) => r.id);
  }

  async listDelegations(limit: number): Promise<DelegationRecord[]> {
    return this.stmt.list.all(limit).map(delegationFromRow);
  }

  async close(): Promise<void> {}
}
