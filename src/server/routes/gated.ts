import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import type { ApprovalRequest } from "../../core/approvals/approval.js";
import { BridleError } from "../../core/errors.js";
import { mayReadAudit } from "../../core/policy/gateway.js";
import type { Principal } from "../../core/principal.js";
import { InvokeBodySchema, RollbackBodySchema } from "../../harness/gated-calls.js";
import { KillSwitchUpdateSchema } from "../../harness/kill-switch.js";
import type { Bridle } from "../../runtime.js";

const ToolParams = z.object({ tool: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "not a tool name") }).strict();
const IdParams = z.object({ id: z.string().uuid("not an approval id") }).strict();
const TraceParams = z.object({ trace_id: z.string().min(1).max(64) }).strict();
const ListQuery = z
  .object({
    status: z.enum(["pending", "approved", "executed", "denied", "expired", "refused", "failed"]).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
const DecisionBody = z
  .object({ decision: z.enum(["approve", "deny"]), comment: z.string().trim().max(2000).optional() })
  .strict();

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new BridleError(
    "VALIDATION_FAILED",
    `${issue?.path.length ? `${issue.path.join(".")}: ` : ""}${issue?.message ?? "invalid request"}`,
  );
}

/** DESIGN.md's refusal shape for the gated path: `{detail: {reasons[], trace_id}}`. */
function refused(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof BridleError && error.code === "FORBIDDEN" && error.detail) {
    const detail = error.detail as { reasons?: string[]; trace_id?: string };
    if (detail.reasons) return reply.code(403).send({ detail: { message: error.message, ...detail } });
  }
  if (error instanceof BridleError && error.code === "CONFLICT" && error.detail)
    return reply.code(409).send({ detail: { message: error.message, ...(error.detail as object) } });
  throw error;
}

/** Who may look at a request: its requester, anyone who could decide it, and auditors. */
function mayView(bridle: Bridle, principal: Principal, r: ApprovalRequest): boolean {
  return (
    r.requester.email.toLowerCase() === principal.email.toLowerCase() ||
    principal.groups.some((g) => r.approval_groups.includes(g)) ||
    mayReadAudit(bridle.policy.current(), principal)
  );
}

/**
 * Gated actions over HTTP: invoke any tool of the policy, decide approvals, set the kill
 * switch, roll a change back. Thin: identity from the authenticator, rules in the services.
 */
export async function gatedRoutes(app: FastifyInstance, bridle: Bridle) {
  const who = (headers: Parameters<typeof bridle.identity.authenticator.principal>[0]) =>
    bridle.identity.authenticator.principal(headers);

  app.post("/v1/tools/:tool/invoke", async (request, reply) => {
    const principal = await who(request.headers);
    const { tool } = parse(ToolParams, request.params);
    const body = parse(InvokeBodySchema, request.body);
    try {
      const result = await bridle.gated.invoke(principal, tool, body);
      return reply.code(result.status).send(result.body);
    } catch (error) {
      return refused(reply, error);
    }
  });

  app.get("/v1/approvals", async (request) => {
    const principal = await who(request.headers);
    const query = parse(ListQuery, request.query);
    const all = await bridle.approvals.list({
      ...(query.status ? { status: query.status } : {}),
      limit: query.limit,
    });
    return { approvals: all.filter((r) => mayView(bridle, principal, r)) };
  });

  app.get("/v1/approvals/:id", async (request) => {
    const principal = await who(request.headers);
    const { id } = parse(IdParams, request.params);
    const found = await bridle.approvals.get(id);
    if (!found || !mayView(bridle, principal, found))
      throw new BridleError("NOT_FOUND", `no approval request ${id}`);
    return found;
  });

  app.post("/v1/approvals/:id/decision", async (request) => {
    const principal = await who(request.headers);
    const { id } = parse(IdParams, request.params);
    const body = parse(DecisionBody, request.body);
    return bridle.approvals.decide(id, principal, body.decision, body.comment ?? null, "http");
  });

  app.get("/v1/killswitch", async (request) => {
    await who(request.headers);
    return bridle.killSwitch.status();
  });

  app.put("/v1/killswitch", async (request) => {
    const principal = await who(request.headers);
    const body = parse(KillSwitchUpdateSchema, request.body);
    const runtime = await bridle.killSwitch.set(principal, body);
    return { runtime, file: bridle.policy.current().source.kill_switch };
  });

  app.post("/v1/rollback/:trace_id", async (request, reply) => {
    const principal = await who(request.headers);
    const { trace_id } = parse(TraceParams, request.params);
    const body = parse(RollbackBodySchema, request.body);
    try {
      const result = await bridle.gated.rollback(principal, trace_id, body);
      return reply.code(result.status).send(result.body);
    } catch (error) {
      return refused(reply, error);
    }
  });
}
