import type { ApprovalRequest, ApprovalVote } from "../core/approvals/approval.js";
import type { Principal } from "../core/principal.js";

/**
 * The approvals service as the faces see it (HTTP, CLI, Slack). Every face decides through
 * `decide`; none of them touches the store or a connector.
 */
export interface ApprovalService {
  get(id: string): Promise<ApprovalRequest | null>;
  list(filter: { status?: ApprovalRequest["status"]; limit: number }): Promise<ApprovalRequest[]>;
  /**
   * One vote. Refusals are BridleErrors: FORBIDDEN (403) for who may not decide, CONFLICT (409)
   * for a request no longer pending or an approver voting twice. When the vote completes the
   * approvals, the tool runs (exactly once, re-checked against the policy and kill switch of
   * that moment) before this resolves; the request returned is the final state.
   */
  decide(
    id: string,
    voter: Principal,
    decision: ApprovalVote["decision"],
    comment: string | null,
    via: ApprovalVote["via"],
  ): Promise<ApprovalRequest>;
}

/**
 * Where people are told about a request (Slack). `requested` returns where the message went so
 * `decided` can update it; failures to notify never change a request's state.
 */
export interface ApprovalNotifier {
  requested(request: ApprovalRequest): Promise<{ channel: string; ts: string } | null>;
  decided(request: ApprovalRequest): Promise<void>;
}
