import type { Principal } from "../principal.js";

/**
 * An approval request and the rules for deciding it — pure, so every rule is tested directly
 * and the store only has to apply a transition atomically. "Approval gates follow consequence,
 * not hierarchy" (seed 002): who decides, how many, and for how long come from the tool's
 * policy, and a human sees what will change before deciding.
 */
export type ApprovalStatus =
  | "pending"
  | "approved"
  | "executed"
  | "denied"
  | "expired"
  | "refused"
  | "failed";

export const FINAL_STATUSES: ReadonlySet<ApprovalStatus> = new Set([
  "executed",
  "denied",
  "expired",
  "refused",
  "failed",
]);

export interface ApprovalVote {
  approver: string;
  decision: "approve" | "deny";
  comment: string | null;
  at: string;
  /** Where the vote came from: the HTTP API, the CLI or a Slack button. */
  via: "http" | "cli" | "slack";
}

export interface ApprovalRequest {
  id: string;
  trace_id: string;
  tool: string;
  args: Record<string, unknown>;
  justification: string;
  /** Who asked, as authenticated (with any delegation chain): re-checked at execution. */
  requester: Principal;
  risk: string | null;
  /** The policy's reasons at request time (e.g. the approval gate itself). */
  reasons: string[];
  approval_groups: string[];
  approvals_required: number;
  /** What will change, against a snapshot taken when the request was made. */
  diff: unknown;
  blast_radius: unknown;
  created_at: string;
  expires_at: string;
  status: ApprovalStatus;
  votes: ApprovalVote[];
  /** Why the request ended as it did (refusal reasons, failure), or the execution's summary. */
  outcome: unknown;
  /** Where the request was announced in Slack (to update the message after a decision). */
  slack: { channel: string; ts: string } | null;
  /** When this request undoes an earlier change: that change's trace id. */
  rollback_of?: string;
}

export type VoteResult =
  | { ok: true; request: ApprovalRequest; ready: boolean }
  | { ok: false; status: 403 | 409; message: string; request?: ApprovalRequest };

/** Distinct approvers who said yes. */
export function approvers(request: ApprovalRequest): string[] {
  return [...new Set(request.votes.filter((v) => v.decision === "approve").map((v) => v.approver))];
}

export function isExpired(request: ApprovalRequest, now: Date): boolean {
  return request.status === "pending" && Date.parse(request.expires_at) <= now.getTime();
}

/** A pending request past its timeout becomes expired (a timeout never approves). */
export function expire(request: ApprovalRequest, now: Date): ApprovalRequest | null {
  if (!isExpired(request, now)) return null;
  return { ...request, status: "expired", outcome: { reason: "approval timed out", at: now.toISOString() } };
}

/**
 * One approver's vote. The rules, in the order a refusal names them:
 * - a request that is no longer pending (or has expired) takes no votes: 409;
 * - an agent identity never approves, nor does anyone acting through a delegation: 403;
 * - the requester never approves their own request, even from an approver group: 403;
 * - only members of the tool's approval groups decide: 403;
 * - the same approver twice counts once: 409;
 * - one deny ends the request; the Nth distinct approval makes it ready to execute.
 */
export function castVote(
  request: ApprovalRequest,
  voter: Principal,
  decision: "approve" | "deny",
  comment: string | null,
  via: ApprovalVote["via"],
  now: Date,
): VoteResult {
  const expired = expire(request, now);
  if (expired) return { ok: false, status: 409, message: "the request has expired", request: expired };
  if (request.status !== "pending")
    return { ok: false, status: 409, message: `the request is ${request.status}, no longer pending` };
  if (voter.delegation) return { ok: false, status: 403, message: "an agent identity never approves" };
  if (sameUser(voter.email, request.requester.email))
    return { ok: false, status: 403, message: "the requester cannot decide their own request" };
  if (!voter.groups.some((g) => request.approval_groups.includes(g)))
    return { ok: false, status: 403, message: "only members of the tool's approval_groups decide" };
  if (request.votes.some((v) => sameUser(v.approver, voter.email)))
    return { ok: false, status: 409, message: "this approver has already decided" };

  const vote: ApprovalVote = { approver: voter.email, decision, comment, at: now.toISOString(), via };
  const votes = [...request.votes, vote];
  if (decision === "deny") {
    return {
      ok: true,
      ready: false,
      request: {
        ...request,
        votes,
        status: "denied",
        outcome: { reason: `denied by ${voter.email}`, comment },
      },
    };
  }
  const next = { ...request, votes };
  const ready = approvers(next).length >= request.approvals_required;
  return { ok: true, ready, request: ready ? { ...next, status: "approved" } : next };
}

function sameUser(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
