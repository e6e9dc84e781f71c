import type { Scope } from "../core/identity/scope.js";

/**
 * Delegations Bridle issued, for revocation and for the non-human inventory (`bridle
 * identities`): who delegated what to which agent, for what purpose, until when, and when it
 * was last used. Tokens themselves are never stored — only their ids.
 */
export interface DelegationRecord {
  id: string;
  parent_id: string | null;
  /** The human at the root of the chain. */
  subject: string;
  /** The agent this delegation was issued to (the last of `chain`). */
  agent: string;
  /** The agents from the root hop to this one. */
  chain: string[];
  scope: Scope;
  purpose: string;
  issued_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoke_reason: string | null;
  last_used_at: string | null;
  uses: number;
}

export type NewDelegation = Omit<DelegationRecord, "revoked_at" | "revoke_reason" | "last_used_at" | "uses">;

export interface IdentityStore {
  saveDelegation(record: NewDelegation): Promise<void>;
  getDelegation(id: string): Promise<DelegationRecord | null>;
  /** Counts a use and moves `last_used_at` forward (never back). */
  recordUse(id: string, at: string): Promise<void>;
  /** Revokes the delegation and every delegation issued under it; returns the ids revoked now. */
  revoke(id: string, at: string, reason: string): Promise<string[]>;
  /** Newest first, at most `limit`. */
  listDelegations(limit: number): Promise<DelegationRecord[]>;
  close(): Promise<void>;
}

/** The columns both adapters store, in one order. */
export const DELEGATION_COLUMNS =
  "id, parent_id, subject, agent, chain, scope, purpose, issued_at, expires_at, revoked_at, revoke_reason, last_used_at, uses";

export interface DelegationRow {
  id: string;
  parent_id: string | null;
  subject: string;
  agent: string;
  chain: string;
  scope: string;
  purpose: string;
  issued_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoke_reason: string | null;
  last_used_at: string | null;
  uses: number | string;
}

export function delegationFromRow(row: DelegationRow): DelegationRecord {
  return {
    ...row,
    chain: JSON.parse(row.chain) as string[],
    scope: JSON.parse(row.scope) as Scope,
    uses: Number(row.uses),
  };
}

export function delegationParams(r: NewDelegation): unknown[] {
  return [
    r.id,
    r.parent_id,
    r.subject,
    r.agent,
    JSON.stringify(r.chain),
    JSON.stringify(r.scope),
    r.purpose,
    r.issued_at,
    r.expires_at,
  ];
}

/** Every delegation under `$root` (itself included), for revocation; `?`/`$n` per dialect. */
export function subtreeSql(param: string): string {
  return `WITH RECURSIVE tree(id) AS (
      SELECT id FROM delegations WHERE id = ${param}
      UNION SELECT d.id FROM delegations d JOIN tree t ON d.parent_id = t.id
    )`;
}
