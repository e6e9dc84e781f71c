import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { parseSince } from "../../core/audit/since.js";
import { BridleError } from "../../core/errors.js";
import { mayReadAudit } from "../../core/policy/gateway.js";
import type { Principal } from "../../core/principal.js";
import { buildEvent } from "../../harness/audit-events.js";
import type { Bridle } from "../../runtime.js";

const MAX_LIMIT = 1000;

const EventsQuerySchema = z
  .object({
    trace_id: z.string().min(1).max(64).optional(),
    actor: z.string().min(1).max(320).optional(),
    event_type: z
      .string()
      .regex(/^[a-z_]{1,64}$/)
      .optional(),
    since: z.string().min(1).max(40).optional(),
    after_seq: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
  })
  .strict();

const TraceParamsSchema = z.object({ trace_id: z.string().min(1).max(64) }).strict();

/**
 * The ledger over HTTP, for the groups in the policy's `audit.reader_groups` only. Reads of the
 * ledger are themselves recorded in it: who looked at what is part of the record.
 */
export async function auditRoutes(app: FastifyInstance, bridle: Bridle) {
  const reader = async (request: FastifyRequest, what: Record<string, unknown>): Promise<Principal> => {
    const principal = await bridle.identity.authenticator.principal(request.headers);
    const allowed = mayReadAudit(bridle.policy.current(), principal);
    await bridle.audit.append(
      buildEvent(bridle.clock, { principal, traceId: bridle.newTraceId() }, "audit_read", {
        outcome: { status: allowed ? "ok" : "denied" },
        data: { route: request.routeOptions.url, ...what },
      }),
    );
    if (!allowed)
      throw new BridleError("FORBIDDEN", "reading the audit ledger requires a group in audit.reader_groups");
    return principal;
  };

  app.get("/v1/audit/events", async (request) => {
    const parsed = EventsQuerySchema.safeParse(request.query);
    if (!parsed.success) throw invalid(parsed.error);
    const q = parsed.data;
    let since: string | undefined;
    if (q.since !== undefined) {
      since = parseSince(q.since, bridle.clock.now()) ?? undefined;
      if (since === undefined)
        throw new BridleError("VALIDATION_FAILED", "since: use 24h, 7d or an ISO-8601 time");
    }
    await reader(request, { query: q });
    const events = await bridle.ledger.store.query({
      ...(q.trace_id ? { trace_id: q.trace_id } : {}),
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.event_type ? { event_type: q.event_type as never } : {}),
      ...(since ? { since } : {}),
      ...(q.after_seq !== undefined ? { after_seq: q.after_seq } : {}),
      limit: q.limit,
    });
    const last = events.at(-1);
    return { events, next_after_seq: events.length === q.limit && last ? last.seq : null };
  });

  app.get("/v1/audit/traces/:trace_id", async (request) => {
    const parsed = TraceParamsSchema.safeParse(request.params);
    if (!parsed.success) throw invalid(parsed.error);
    await reader(request, { trace_id: parsed.data.trace_id });
    const events = await bridle.ledger.store.query({ trace_id: parsed.data.trace_id, limit: MAX_LIMIT });
    if (events.length === 0)
      throw new BridleError("NOT_FOUND", `no events for trace ${parsed.data.trace_id}`);
    return { trace_id: parsed.data.trace_id, events };
  });

  app.get("/v1/audit/verify", async (request) => {
    await reader(request, { verify: true });
    return bridle.verifyLedger();
  });
}

function invalid(error: z.ZodError): BridleError {
  const issue = error.issues[0];
  const keys = issue?.code === "unrecognized_keys" ? ` ${issue.keys.join(", ")}` : "";
  return new BridleError(
    "VALIDATION_FAILED",
    `${issue?.path.join(".") || "query"}:${keys} ${issue?.message}`,
    {
      issues: error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    },
  );
}
