import type { Connectors } from "../connectors/types.js";
import type { ApprovalRequest } from "../core/approvals/approval.js";
import { BridleError } from "../core/errors.js";
import { canonicalJson } from "../core/ledger/record.js";
import type { CompiledKillSwitch, CompiledPolicy } from "../core/policy/compile.js";
import { type Decision, type DecisionInput, decide, isProduction } from "../core/policy/gateway.js";
import { validateOutboundText } from "../core/validation/output.js";
import type { AuditSink } from "../store/audit-sink.js";
import type { ChangeSnapshotStore } from "../store/change-snapshot-store.js";
import { auditDecision, buildEvent, type CallContext, policyRef } from "./audit-events.js";
import type { Clock } from "./deps.js";
import type { Limits } from "./limits.js";
import type { ToolDefinition } from "./tools/tool.js";

export interface ToolRunnerDeps {
  policy: () => CompiledPolicy;
  runtimeKillSwitch: () => CompiledKillSwitch | null;
  tools: ReadonlyMap<string, ToolDefinition>;
  connectors: Connectors;
  audit: AuditSink;
  clock: Clock;
  /** Where the before/after state of each write is kept for rollback (absent: not kept). */
  snapshots?: ChangeSnapshotStore;
  /** Rate limits, circuit breakers and blast radius (absent: not enforced). */
  limits?: Limits;
}

/** What the gated path learns before anything runs: the decision and, for a write, the diff. */
export interface Assessment {
  tool: ToolDefinition | undefined;
  /** Parsed arguments (the raw ones when they did not parse). */
  args: Record<string, unknown>;
  issues: { path: string; message: string }[] | null;
  decision: Decision;
  /** For a write with change support: a fresh snapshot, the diff against it, what it touches. */
  change: { snapshot: unknown; diff: unknown; resources: string[]; production: boolean } | null;
}

export interface InvokeOptions {
  /** The approved request this call executes; only then may an approval-gated tool run. */
  approval?: ApprovalRequest;
}

export interface ToolRunner {
  /** Plan-level authorization of a workflow's tools (no arguments yet), audited as one event. */
  authorizePlan(ctx: CallContext, toolNames: readonly string[]): Promise<Decision[]>;
  /** The only way any face reaches a connector: parse → decide → validate → execute → audit. */
  invoke(ctx: CallContext, toolName: string, rawArgs: unknown, options?: InvokeOptions): Promise<unknown>;
  /**
   * The decision a call would get now, with the facts it depends on resolved (does the change
   * ticket exist?) and, for a write, a fresh snapshot and the diff. Audited as a decision;
   * nothing is changed.
   */
  assess(ctx: CallContext, toolName: string, rawArgs: unknown): Promise<Assessment>;
  /**
   * The decision `invoke` would take now, without running or auditing anything: lets a
   * workflow that makes several writes refuse all of them up front rather than half of them.
   */
  preview(ctx: CallContext, toolName: string, args: Record<string, unknown>): Decision;
}

export function createToolRunner(deps: ToolRunnerDeps): ToolRunner {
  const decideFor = (
    ctx: CallContext,
    tool: string,
    args?: Record<string, unknown>,
    facts?: { changeTicketExists?: boolean },
    limits?: DecisionInput["limits"],
  ) =>
    decide(deps.policy(), {
      principal: ctx.principal,
      tool,
      ...(args ? { args } : {}),
      ...(ctx.workflow ? { workflow: ctx.workflow } : {}),
      ...(facts ? { facts } : {}),
      ...(limits ? { limits } : {}),
      runtimeKillSwitch: deps.runtimeKillSwitch(),
    });

  async function authorizePlan(ctx: CallContext, toolNames: readonly string[]): Promise<Decision[]> {
    const decisions = toolNames.map((name) => decideFor(ctx, name));
    const first = decisions[0];
    await deps.audit.append(
      buildEvent(deps.clock, ctx, "policy_decision", {
        decisions: decisions.map(auditDecision),
        policy: first ? policyRef(first) : null,
        outcome: { status: decisions.every((d) => d.allowed) ? "ok" : "denied" },
        data: { stage: "plan", tools: toolNames },
      }),
    );
    return decisions;
  }

  async function parseAndDecide(
    ctx: CallContext,
    toolName: string,
    rawArgs: unknown,
    mode: "call" | "assess",
  ) {
    const tool = deps.tools.get(toolName);
    const parsed = tool?.input.safeParse(rawArgs);
    const args = (parsed?.success ? parsed.data : rawArgs) as Record<string, unknown>;
    const facts = parsed?.success ? await resolveFacts(toolName, parsed.data as Record<string, unknown>) : {};
    const limits =
      deps.limits && tool && parsed?.success
        ? await limitsFor(ctx, tool, parsed.data, mode === "call")
        : undefined;
    const decision = decideFor(ctx, toolName, isRecord(args) ? args : {}, facts, limits);
    const issues =
      parsed && !parsed.success
        ? parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }))
        : null;
    return { tool, parsed, args, decision, issues };
  }

  /** What a call touches, for blast radius: the tool's own account, else one resource. */
  function footprint(tool: ToolDefinition, args: unknown): { resources: number; production: boolean } {
    if (tool.change)
      return { resources: tool.change.resources(args).length, production: tool.change.production(args) };
    const a = isRecord(args) ? args : {};
    return { resources: 1, production: isProduction(a.account) || isProduction(a.environment) };
  }

  async function limitsFor(ctx: CallContext, tool: ToolDefinition, args: unknown, claimTrial: boolean) {
    const snap = await deps.limits!.stateFor(tool.name, ctx.principal, { claimTrial });
    return { ...snap, ...footprint(tool, args) };
  }

  /** Facts the gateway needs from outside (it does no I/O itself): does the change ticket exist? */
  async function resolveFacts(toolName: string, args: Record<string, unknown>) {
    const policy = deps.policy().tools.get(toolName);
    const ticket = args.change_ticket;
    if (!policy?.changeTicketRequired || typeof ticket !== "string" || ticket.trim() === "") return {};
    try {
      await deps.connectors.jira.getIssue(ticket.trim());
      return { changeTicketExists: true };
    } catch (error) {
      if (
        error instanceof BridleError &&
        (error.code === "UPSTREAM_NOT_FOUND" || error.code === "INVALID_IDENTIFIER")
      )
        return { changeTicketExists: false };
      throw error;
    }
  }

  async function auditDecisionEvent(
    ctx: CallContext,
    toolName: string,
    args: unknown,
    decision: Decision,
    stage: string,
    ok: boolean,
  ) {
    await deps.audit.append(
      buildEvent(deps.clock, ctx, "policy_decision", {
        tool: { name: toolName, args },
        decisions: [auditDecision(decision)],
        policy: policyRef(decision),
        outcome: { status: ok ? "ok" : "denied" },
        data: { stage },
      }),
    );
  }

  async function invoke(ctx: CallContext, toolName: string, rawArgs: unknown, options: InvokeOptions = {}) {
    const { tool, parsed, args, decision } = await parseAndDecide(ctx, toolName, rawArgs, "call");
    const approved = decision.approval_required && approvalCovers(options.approval, toolName, args);
    const allowed = decision.allowed && (!decision.approval_required || approved) && tool !== undefined;
    await auditDecisionEvent(ctx, toolName, args, decision, approved ? "approved_call" : "call", allowed);
    if (!decision.allowed) throw new BridleError("FORBIDDEN", decision.reason, { decision });
    if (!tool) throw new BridleError("NOT_FOUND", `tool ${toolName} is not implemented`);
    if (decision.approval_required && !approved) {
      // Fail closed: a tool the policy gates on a human is never run without a recorded approval.
      throw new BridleError("FORBIDDEN", "approval required", { decision });
    }
    if (!parsed?.success) {
      throw new BridleError("VALIDATION_FAILED", `invalid arguments for ${toolName}`, {
        issues: parsed?.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      });
    }
    await validateOutbound(ctx, tool, parsed.data);
    return execute(ctx, tool, parsed.data, decision);
  }

  async function assess(ctx: CallContext, toolName: string, rawArgs: unknown): Promise<Assessment> {
    const { tool, parsed, args, decision, issues } = await parseAndDecide(ctx, toolName, rawArgs, "assess");
    await auditDecisionEvent(ctx, toolName, args, decision, "assess", decision.allowed);
    let change: Assessment["change"] = null;
    if (tool?.change && parsed?.success && decision.allowed) {
      const snapshot = await tool.change.snapshot(deps.connectors, parsed.data, { traceId: ctx.traceId });
      change = {
        snapshot,
        diff: tool.change.diff(snapshot, parsed.data),
        resources: tool.change.resources(parsed.data),
        production: tool.change.production(parsed.data),
      };
    }
    return { tool, args, issues, decision, change };
  }

  async function validateOutbound(ctx: CallContext, tool: ToolDefinition, args: unknown): Promise<void> {
    if (!tool.outboundText) return;
    const check = validateOutboundText(tool.outboundText(args));
    await deps.audit.append(
      buildEvent(deps.clock, ctx, "validation_result", {
        tool: { name: tool.name, args },
        validation: check,
        outcome: { status: check.ok ? "ok" : "refused" },
      }),
    );
    if (!check.ok) {
      throw new BridleError(
        "OUTPUT_VALIDATION_FAILED",
        "output validation failed: possible secret detected",
        {
          problems: check.problems,
        },
      );
    }
  }

  async function execute(ctx: CallContext, tool: ToolDefinition, args: unknown, decision: Decision) {
    const started = deps.clock.now().getTime();
    const finish = (status: "ok" | "error", detail: unknown) =>
      deps.audit.append(
        buildEvent(deps.clock, ctx, "tool_call", {
          tool: { name: tool.name, args },
          policy: policyRef(decision),
          outcome: { status, detail },
          data: { duration_ms: deps.clock.now().getTime() - started },
        }),
      );
    const toolCtx = { traceId: ctx.traceId };
    try {
      const before =
        tool.change && deps.snapshots ? await tool.change.snapshot(deps.connectors, args, toolCtx) : null;
      const result = await tool.execute(deps.connectors, args, toolCtx);
      if (tool.change && deps.snapshots) {
        // Kept with the trace so `bridle rollback` can restore it and detect drift later.
        const after = await tool.change.snapshot(deps.connectors, args, toolCtx);
        await deps.snapshots.save({
          trace_id: ctx.traceId,
          tool: tool.name,
          args: args as Record<string, unknown>,
          before,
          after,
          taken_at: deps.clock.now().toISOString(),
        });
      }
      await finish("ok", summarize(result));
      await deps.limits?.recordOutcome(tool.name, ctx.principal, "ok", footprint(tool, args).resources);
      return result;
    } catch (error) {
      await deps.limits?.recordOutcome(tool.name, ctx.principal, "error", footprint(tool, args).resources);
      const code = error instanceof BridleError ? error.code : "INTERNAL";
      await finish("error", { code, message: error instanceof BridleError ? error.message : "tool failed" });
      throw error;
    }
  }

  return { authorizePlan, invoke, assess, preview: (ctx, toolName, args) => decideFor(ctx, toolName, args) };
}

/** An approval covers a call only for the same tool, the same arguments, once approved. */
function approvalCovers(approval: ApprovalRequest | undefined, toolName: string, args: unknown): boolean {
  return (
    approval !== undefined &&
    approval.status === "approved" &&
    approval.tool === toolName &&
    canonicalJson(approval.args) === canonicalJson(args)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Tool outputs can be large (whole files); the ledger keeps a bounded, redacted summary. */
export function summarize(result: unknown): unknown {
  const json = JSON.stringify(result) ?? "null";
  return json.length <= 4096 ? result : { truncated: true, bytes: json.length, preview: json.slice(0, 1024) };
}
