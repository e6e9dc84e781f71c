import { randomUUID } from "node:crypto";
import {
  type ApprovalRequest,
  approvers,
  castVote,
  expire,
  FINAL_STATUSES,
} from "../core/approvals/approval.js";
import { BridleError } from "../core/errors.js";
import { canonicalJson } from "../core/ledger/record.js";
import type { CompiledPolicy } from "../core/policy/compile.js";
import type { Decision } from "../core/policy/gateway.js";
import type { Principal } from "../core/principal.js";
import { redactDeep } from "../core/validation/redact.js";
import type { ApprovalStore } from "../store/approval-store.js";
import type { AuditSink } from "../store/audit-sink.js";
import type { ApprovalNotifier, ApprovalService } from "./approval-types.js";
import { buildEvent, type CallContext } from "./audit-events.js";
import type { Clock } from "./deps.js";
import { type Assessment, summarize, type ToolRunner } from "./tool-runner.js";

export interface ApprovalsDeps {
  store: ApprovalStore;
  runner: ToolRunner;
  policy: () => CompiledPolicy;
  audit: AuditSink;
  clock: Clock;
  notifier?: ApprovalNotifier | null;
  /** How often pending requests are checked for expiry (0: never, tests sweep by hand). */
  sweepMs?: number;
  onError?: (error: unknown) => void;
  /** Reads the runtime kill switch from the store now: execution obeys the switch of that moment. */
  refreshKillSwitch?: () => Promise<void>;
  /** A rollback request executed: mark the change it undid. */
  onRolledBack?: (traceId: string, byTraceId: string, tool: string) => Promise<void>;
}

export interface Approvals extends ApprovalService {
  /** Files an approval request for a call the policy gates on humans (after `assess`). */
  request(
    ctx: CallContext,
    assessment: Assessment,
    justification: string,
    extra?: Partial<ApprovalRequest>,
  ): Promise<ApprovalRequest>;
  /** Expires pending requests past their timeout; returns how many. */
  sweep(): Promise<number>;
  close(): void;
}

/**
 * Approvals mapped to consequence. A request carries what a human needs to decide (the diff
 * against a fresh snapshot, blast radius, reasons, requester and delegation chain); votes go
 * through the pure rules in core/approvals; the last approval executes the call exactly once —
 * claimed in the store, then run through the tool runner, which decides again against the
 * policy and kill switch of that moment. A timeout never approves.
 */
export function createApprovals(deps: ApprovalsDeps): Approvals {
  const now = () => deps.clock.now();
  const ctxOf = (r: ApprovalRequest): CallContext => ({ principal: r.requester, traceId: r.trace_id });

  async function audit(
    r: ApprovalRequest,
    type: Parameters<typeof buildEvent>[2],
    actor: Principal,
    data: object,
  ) {
    await deps.audit.append(
      buildEvent(deps.clock, { principal: actor, traceId: r.trace_id }, type, {
        tool: { name: r.tool, args: r.args },
        approval: {
          id: r.id,
          status: r.status,
          approvals_required: r.approvals_required,
          approvers: approvers(r),
          votes: r.votes,
        },
        outcome: { status: FINAL_STATUSES.has(r.status) && r.status !== "executed" ? "refused" : "ok" },
        data: { ...data },
      }),
    );
  }

  async function notify(r: ApprovalRequest): Promise<void> {
    try {
      await deps.notifier?.decided(r);
    } catch (error) {
      deps.onError?.(error);
    }
  }

  /** Runs an approved request once: whoever claims it executes; everyone else sees the result. */
  async function execute(r: ApprovalRequest): Promise<ApprovalRequest> {
    if (!(await deps.store.claim(r.id, now().toISOString()))) return (await deps.store.get(r.id)) ?? r;
    await deps.refreshKillSwitch?.();
    let status: ApprovalRequest["status"];
    let outcome: unknown;
    try {
      const result = await deps.runner.invoke(ctxOf(r), r.tool, r.args, { approval: r });
      status = "executed";
      outcome = { result: summarize(result), at: now().toISOString() };
      if (r.rollback_of) await deps.onRolledBack?.(r.rollback_of, r.trace_id, r.tool);
    } catch (error) {
      const refused = error instanceof BridleError && error.code === "FORBIDDEN";
      status = refused ? "refused" : "failed";
      const decision = (error as BridleError)?.detail as { decision?: Decision } | undefined;
      outcome = refused
        ? { reasons: decision?.decision?.reasons ?? [(error as Error).message], at: now().toISOString() }
        : {
            error: error instanceof BridleError ? error.message : "the tool failed",
            at: now().toISOString(),
          };
    }
    const done = await deps.store.update(r.id, (current) => ({ ...current, status, outcome }));
    const final = done?.after ?? { ...r, status, outcome };
    await audit(final, status === "executed" ? "approval_executed" : "approval_refused", r.requester, {
      outcome,
    });
    await notify(final);
    return final;
  }

  async function expireOne(id: string): Promise<boolean> {
    const changed = await deps.store.update(id, (current) => expire(current, now()));
    if (!changed || changed.before.status === changed.after.status) return false;
    await audit(changed.after, "approval_expired", changed.after.requester, { reason: "approval timed out" });
    await notify(changed.after);
    return true;
  }

  const sweep = async () => {
    let n = 0;
    for (const id of await deps.store.expiredIds(now().toISOString(), 500)) if (await expireOne(id)) n++;
    return n;
  };
  const sweepMs = deps.sweepMs ?? 1000;
  const timer = sweepMs > 0 ? setInterval(() => void sweep().catch((e) => deps.onError?.(e)), sweepMs) : null;
  timer?.unref();

  return {
    async request(ctx, assessment, justification, extra = {}) {
      const { decision, args } = assessment;
      const tool = deps.policy().tools.get(decision.tool_name);
      if (!tool) throw new BridleError("NOT_FOUND", `tool ${decision.tool_name} is not defined in policy`);
      // What waits for a human is stored and shown: it must hold nothing a redactor would hide.
      if (canonicalJson(redactDeep(args)) !== canonicalJson(args))
        throw new BridleError("VALIDATION_FAILED", "arguments contain what looks like a secret; refused");
      const created = now();
      const request: ApprovalRequest = {
        id: randomUUID(),
        trace_id: ctx.traceId,
        tool: decision.tool_name,
        args,
        justification,
        requester: ctx.principal,
        risk: decision.risk,
        reasons: ["approval required", ...decision.reasons],
        approval_groups: [...tool.approvalGroups],
        approvals_required: tool.approvalsRequired,
        diff: assessment.change?.diff ?? null,
        blast_radius: assessment.change
          ? { resources: assessment.change.resources, production: assessment.change.production }
          : null,
        created_at: created.toISOString(),
        expires_at: new Date(created.getTime() + tool.approvalTimeoutMs).toISOString(),
        status: "pending",
        votes: [],
        outcome: null,
        slack: null,
        ...(extra.rollback_of ? { rollback_of: extra.rollback_of } : {}),
      };
      await deps.store.create(request);
      await audit(request, "approval_requested", ctx.principal, {
        justification,
        expires_at: request.expires_at,
      });
      try {
        const posted = await deps.notifier?.requested(request);
        if (posted) {
          await deps.store.update(request.id, (current) => ({ ...current, slack: posted }));
          request.slack = posted;
        }
      } catch (error) {
        deps.onError?.(error);
      }
      return request;
    },

    async get(id) {
      const r = await deps.store.get(id);
      if (r && expire(r, now())) {
        await expireOne(id);
        return deps.store.get(id);
      }
      return r;
    },

    list: (filter) => deps.store.list(filter),

    async decide(id, voter, decision, comment, via) {
      let refusal: { status: 403 | 409; message: string } | null = null;
      let ready = false;
      const changed = await deps.store.update(id, (current) => {
        const result = castVote(current, voter, decision, comment, via, now());
        if (!result.ok) {
          refusal = result;
          return result.request ?? null;
        }
        ready = result.ready;
        return result.request;
      });
      if (!changed) throw new BridleError("NOT_FOUND", `no approval request ${id}`);
      if (refusal) {
        const { status, message } = refusal as { status: 403 | 409; message: string };
        if (changed.after.status === "expired" && changed.before.status === "pending")
          await audit(changed.after, "approval_expired", changed.after.requester, {
            reason: "approval timed out",
          });
        await audit(changed.after, "approval_decision", voter, { decision, comment, via, refused: message });
        throw new BridleError(status === 403 ? "FORBIDDEN" : "CONFLICT", message);
      }
      await audit(changed.after, "approval_decision", voter, { decision, comment, via });
      if (!ready) {
        await notify(changed.after);
        return changed.after;
      }
      return execute(changed.after);
    },

    sweep,
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
}
