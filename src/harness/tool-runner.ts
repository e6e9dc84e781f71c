import type { Connectors } from "../connectors/types.js";
import { BridleError } from "../core/errors.js";
import type { CompiledKillSwitch, CompiledPolicy } from "../core/policy/compile.js";
import { type Decision, decide } from "../core/policy/gateway.js";
import { validateOutboundText } from "../core/validation/output.js";
import type { AuditSink } from "../store/audit-sink.js";
import { auditDecision, buildEvent, type CallContext, policyRef } from "./audit-events.js";
import type { Clock } from "./deps.js";
import type { ToolDefinition } from "./tools/tool.js";

export interface ToolRunnerDeps {
  policy: () => CompiledPolicy;
  runtimeKillSwitch: () => CompiledKillSwitch | null;
  tools: ReadonlyMap<string, ToolDefinition>;
  connectors: Connectors;
  audit: AuditSink;
  clock: Clock;
}

export interface ToolRunner {
  /** Plan-level authorization of a workflow's tools (no arguments yet), audited as one event. */
  authorizePlan(ctx: CallContext, toolNames: readonly string[]): Promise<Decision[]>;
  /** The only way any face reaches a connector: parse → decide → validate → execute → audit. */
  invoke(ctx: CallContext, toolName: string, rawArgs: unknown): Promise<unknown>;
  /**
   * The decision `invoke` would take now, without running or auditing anything: lets a
   * workflow that makes several writes refuse all of them up front rather than half of them.
   */
  preview(ctx: CallContext, toolName: string, args: Record<string, unknown>): Decision;
}

export function createToolRunner(deps: ToolRunnerDeps): ToolRunner {
  const decideFor = (ctx: CallContext, tool: string, args?: Record<string, unknown>) =>
    decide(deps.policy(), {
      principal: ctx.principal,
      tool,
      ...(args ? { args } : {}),
      ...(ctx.workflow ? { workflow: ctx.workflow } : {}),
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

  async function invoke(ctx: CallContext, toolName: string, rawArgs: unknown): Promise<unknown> {
    const tool = deps.tools.get(toolName);
    const parsed = tool?.input.safeParse(rawArgs);
    const args = (parsed?.success ? parsed.data : rawArgs) as Record<string, unknown>;
    const decision = decideFor(ctx, toolName, isRecord(args) ? args : {});
    const allowed = decision.allowed && !decision.approval_required && tool !== undefined;
    await deps.audit.append(
      buildEvent(deps.clock, ctx, "policy_decision", {
        tool: { name: toolName, args },
        decisions: [auditDecision(decision)],
        policy: policyRef(decision),
        outcome: { status: allowed ? "ok" : "denied" },
        data: { stage: "call" },
      }),
    );
    if (!decision.allowed) throw new BridleError("FORBIDDEN", decision.reason, { decision });
    if (!tool) throw new BridleError("NOT_FOUND", `tool ${toolName} is not implemented`);
    if (decision.approval_required) {
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
    try {
      const result = await tool.execute(deps.connectors, args, { traceId: ctx.traceId });
      await finish("ok", summarize(result));
      return result;
    } catch (error) {
      const code = error instanceof BridleError ? error.code : "INTERNAL";
      await finish("error", { code, message: error instanceof BridleError ? error.message : "tool failed" });
      throw error;
    }
  }

  return { authorizePlan, invoke, preview: (ctx, toolName, args) => decideFor(ctx, toolName, args) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Tool outputs can be large (whole files); the ledger keeps a bounded, redacted summary. */
function summarize(result: unknown): unknown {
  const json = JSON.stringify(result) ?? "null";
  return json.length <= 4096 ? result : { truncated: true, bytes: json.length, preview: json.slice(0, 1024) };
}
