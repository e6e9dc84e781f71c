import { z } from "zod";
import type { ApprovalRequest } from "../core/approvals/approval.js";
import { BridleError } from "../core/errors.js";
import type { Principal } from "../core/principal.js";
import type { ChangeSnapshotStore } from "../store/change-snapshot-store.js";
import type { Approvals } from "./approvals.js";
import type { CallContext } from "./audit-events.js";
import type { TraceIdSource } from "./deps.js";
import type { Assessment, ToolRunner } from "./tool-runner.js";
import type { ToolDefinition } from "./tools/tool.js";

/** `POST /v1/tools/{tool}/invoke` (DESIGN.md). */
export const InvokeBodySchema = z
  .object({
    args: z.record(z.string(), z.unknown()).default({}),
    justification: z.string().trim().max(2000).default(""),
    workflow: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/)
      .optional(),
    dry_run: z.boolean().default(false),
  })
  .strict();

export const RollbackBodySchema = z
  .object({ dry_run: z.boolean().default(false), justification: z.string().trim().max(2000).default("") })
  .strict();

export type GatedResult =
  | { status: 200; body: { result: unknown; trace_id: string } }
  | {
      status: 200;
      body: { dry_run: true; decision: unknown; diff: unknown; blast_radius: unknown; trace_id: string };
    }
  | { status: 202; body: { approval_id: string; status: "pending"; expires_at: string; trace_id: string } };

/**
 * The generic gated path every face uses for a single tool call: assess (decide, with facts and
 * a fresh snapshot) → refuse with every reason, or show what would happen (dry run), or wait for
 * approval, or run now. The review workflow and this path share the runner's one gateway call.
 */
export function createGatedCalls(deps: {
  runner: ToolRunner;
  approvals: Approvals;
  snapshots: ChangeSnapshotStore;
  tools: ReadonlyMap<string, ToolDefinition>;
  newTraceId: TraceIdSource;
  /** A rollback ran (breakers count repeated rollbacks). */
  onRolledBack?: (tool: string) => Promise<void>;
}) {
  async function gate(
    ctx: CallContext,
    toolName: string,
    args: unknown,
    justification: string,
    dryRun: boolean,
    extra: Partial<ApprovalRequest> = {},
    assessed?: Assessment,
  ): Promise<GatedResult> {
    const assessment = assessed ?? (await deps.runner.assess(ctx, toolName, args));
    const { decision } = assessment;
    if (!decision.allowed) {
      throw new BridleError("FORBIDDEN", decision.reason, {
        reasons: decision.reasons,
        trace_id: ctx.traceId,
      });
    }
    if (assessment.issues) {
      throw new BridleError("VALIDATION_FAILED", `invalid arguments for ${toolName}`, {
        issues: assessment.issues,
      });
    }
    if (dryRun) {
      return {
        status: 200,
        body: {
          dry_run: true,
          decision: {
            allowed: decision.allowed,
            approval_required: decision.approval_required,
            reasons: decision.reasons,
            risk: decision.risk,
          },
          diff: assessment.change?.diff ?? null,
          blast_radius: assessment.change
            ? { resources: assessment.change.resources, production: assessment.change.production }
            : null,
          trace_id: ctx.traceId,
        },
      };
    }
    if (decision.approval_required) {
      if (!justification)
        throw new BridleError("VALIDATION_FAILED", "justification is required for a gated call");
      const request = await deps.approvals.request(ctx, assessment, justification, extra);
      return {
        status: 202,
        body: {
          approval_id: request.id,
          status: "pending",
          expires_at: request.expires_at,
          trace_id: ctx.traceId,
        },
      };
    }
    const result = await deps.runner.invoke(ctx, toolName, assessment.args);
    return { status: 200, body: { result, trace_id: ctx.traceId } };
  }

  return {
    invoke(principal: Principal, toolName: string, body: z.infer<typeof InvokeBodySchema>) {
      const ctx: CallContext = {
        principal,
        traceId: deps.newTraceId(),
        ...(body.workflow ? { workflow: body.workflow } : {}),
      };
      return gate(ctx, toolName, body.args, body.justification, body.dry_run);
    },

    /**
     * Undoes the write of `traceId`: the inverse call, authorized, gated and audited like any
     * write, refused when the resource changed since (the drift is shown) or was rolled back.
     */
    async rollback(principal: Principal, traceId: string, body: z.infer<typeof RollbackBodySchema>) {
      const snapshot = await deps.snapshots.get(traceId);
      if (!snapshot) throw new BridleError("NOT_FOUND", `no recorded change for trace ${traceId}`);
      if (snapshot.rolled_back_by)
        throw new BridleError(
          "CONFLICT",
          `trace ${traceId} was already rolled back by ${snapshot.rolled_back_by}`,
        );
      const tool = deps.tools.get(snapshot.tool);
      if (!tool?.change)
        throw new BridleError("BAD_REQUEST", `${snapshot.tool} changes cannot be rolled back`);
      const inverse = tool.change.inverse(snapshot.args as never) as Record<string, unknown>;
      const ctx: CallContext = { principal, traceId: deps.newTraceId() };
      const current = await deps.runner.assess(ctx, snapshot.tool, inverse);
      if (current.change) {
        const drift = tool.change.drift(snapshot.after, current.change.snapshot);
        if (drift.length > 0)
          throw new BridleError("CONFLICT", "the resource changed since; refusing to roll back over it", {
            drift,
          });
      }
      const justification = body.justification || `rollback of ${traceId}`;
      const result = await gate(ctx, snapshot.tool, inverse, justification, body.dry_run, {
        rollback_of: traceId,
      });
      if (result.status === 200 && !("dry_run" in result.body)) {
        await deps.snapshots.markRolledBack(traceId, ctx.traceId);
        await deps.onRolledBack?.(snapshot.tool);
      }
      return { ...result, body: { ...result.body, rollback_of: traceId, inverse_args: inverse } };
    },
  };
}

export type GatedCalls = ReturnType<typeof createGatedCalls>;
