import type { ApprovalRequest, ApprovalStatus } from "../core/approvals/approval.js";

/**
 * Approval requests, in the shared database so a pending request survives a restart and any
 * replica can take a decision. Every change is a read-modify-write under the row's lock, and
 * execution is claimed once: of fifty concurrent final approvals, exactly one caller runs the
 * tool.
 */
export interface ApprovalStore {
  create(request: ApprovalRequest): Promise<void>;
  get(id: string): Promise<ApprovalRequest | null>;
  /** Newest first. */
  list(filter: { status?: ApprovalStatus; limit: number }): Promise<ApprovalRequest[]>;
  /**
   * Applies `change` to the request as it is now, atomically: `change` sees the committed
   * state (never a stale copy) and returns the next state, or null to leave it as it is.
   * Resolves with the state after the call (null when there is no such request).
   */
  update(
    id: string,
    change: (current: ApprovalRequest) => ApprovalRequest | null,
  ): Promise<{ before: ApprovalRequest; after: ApprovalRequest } | null>;
  /** Marks an approved request as being executed; true for exactly one caller. */
  claim(id: string, at: string): Promise<boolean>;
  /** Ids of pending requests whose timeout has passed. */
  expiredIds(now: string, limit: number): Promise<string[]>;
}

export interface ApprovalRow {
  document: string;
}

export function approvalColumns(r: ApprovalRequest): unknown[] {
  return [
    r.id,
    r.trace_id,
    r.tool,
    r.requester.email,
    r.status,
    r.created_at,
    r.expires_at,
    JSON.stringify(r),
  ];
}
