import type { IncomingHttpHeaders } from "node:http";
import { z } from "zod";
import type { DelegationConfig, IdentityConfig } from "../config/schema.js";
import type { AuditEvent } from "../core/audit/event.js";
import { BridleError, isBridleError } from "../core/errors.js";
import { type DelegationErrorCode, type Delegator, planDelegation } from "../core/identity/delegation.js";
import { formatScope, parseScope, type Scope } from "../core/identity/scope.js";
import type { Principal } from "../core/principal.js";
import type { AgentIdentity, Authenticator } from "../identity/authenticator.js";
import type { DelegationTokens } from "../identity/delegation-tokens.js";
import { TOKEN_TYPE_JWT } from "../identity/delegation-tokens.js";
import { principalFromDevHeaders } from "../identity/dev-headers.js";
import type { AuditSink } from "../store/audit-sink.js";
import type { IdentityStore } from "../store/identity-store.js";
import { buildEvent } from "./audit-events.js";
import type { Clock, TraceIdSource } from "./deps.js";
import type { PolicySource } from "./policy-source.js";

export const GRANT_TYPE_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCEPTED_TOKEN_TYPES = new Set([
  TOKEN_TYPE_JWT,
  "urn:ietf:params:oauth:token-type:access_token",
  "urn:ietf:params:oauth:token-type:id_token",
]);

/** RFC 8693 §2.1 request parameters (unknown parameters are ignored, as OAuth requires). */
const ExchangeRequestSchema = z.object({
  grant_type: z.string().max(200),
  subject_token: z.string().max(8192).optional(),
  subject_token_type: z.string().max(200).optional(),
  actor_token: z.string().max(8192).optional(),
  actor_token_type: z.string().max(200).optional(),
  requested_token_type: z.string().max(200).optional(),
  scope: z.string().max(8192).optional(),
  /** Bridle: what the delegation is for; required on the first hop, inherited after. */
  purpose: z.string().max(1000).optional(),
  expires_in: z
    .union([
      z.number(),
      z
        .string()
        .regex(/^\d{1,9}$/)
        .transform(Number),
    ])
    .optional(),
});

/** An OAuth error (RFC 6749 §5.2): `error` code, description, and the HTTP status it goes with. */
export class OAuthError extends Error {
  constructor(
    readonly error: DelegationErrorCode | "unsupported_grant_type" | "invalid_client",
    message: string,
    readonly status: 400 | 401 = 400,
  ) {
    super(message);
  }
}

export interface TokenExchangeResponse {
  access_token: string;
  issued_token_type: string;
  token_type: "Bearer";
  expires_in: number;
  scope: string;
}

export interface TokenExchangeDeps {
  identity: IdentityConfig;
  authenticator: Authenticator;
  tokens: DelegationTokens;
  store: IdentityStore;
  policy: PolicySource;
  workflows: readonly string[];
  audit: AuditSink;
  clock: Clock;
  newTraceId: TraceIdSource;
}

/**
 * `POST /v1/token/exchange` (RFC 8693): an agent, authenticated by its own `actor_token`,
 * exchanges a user's token (or a delegation it holds, to delegate onwards) for a delegation
 * token. The rules are the pure planner's; this service authenticates both parties, records the
 * delegation, and audits every outcome — refusals included, with what was asked.
 */
export function createTokenExchange(deps: TokenExchangeDeps) {
  const limits = limitsOf(deps.identity.delegation);

  return async function exchange(
    body: unknown,
    headers: IncomingHttpHeaders,
  ): Promise<TokenExchangeResponse> {
    const traceId = deps.newTraceId();
    let actor: AgentIdentity | null = null;
    let subject: Principal | null = null;
    const requested: Record<string, unknown> = {};
    try {
      const req = parseRequest(body);
      Object.assign(requested, {
        scope: req.scope ?? null,
        purpose: req.purpose ?? null,
        expires_in: req.expires_in ?? null,
      });
      actor = await authenticateActor(req.actor_token, req.actor_token_type);
      const delegator = await authenticateSubject(req.subject_token, req.subject_token_type, headers);
      subject = delegator.principal;
      const scope = scopeOf(req.scope);
      const now = Math.floor(deps.clock.now().getTime() / 1000);
      const plan = planDelegation(
        deps.policy.current(),
        deps.workflows,
        delegator,
        {
          actor: actor.identity,
          scope,
          ...(req.purpose !== undefined ? { purpose: req.purpose } : {}),
          ...(req.expires_in !== undefined ? { expiresIn: req.expires_in } : {}),
        },
        now,
        limits,
      );
      if (!plan.ok) throw new OAuthError(plan.error, plan.message);
      const issued = await deps.tokens.issue(delegator.principal, plan.delegation);
      const hops = plan.delegation.hops;
      await deps.store.saveDelegation({
        id: issued.id,
        parent_id: issued.parentId,
        subject: delegator.principal.email,
        agent: actor.identity,
        chain: hops.map((h) => h.agent),
        scope: plan.delegation.scope,
        purpose: plan.delegation.purpose,
        issued_at: new Date(plan.delegation.issuedAt * 1000).toISOString(),
        expires_at: new Date(plan.delegation.expiresAt * 1000).toISOString(),
      });
      const delegated: Principal = {
        ...delegator.principal,
        authenticatedBy: "delegation",
        delegation: {
          id: issued.id,
          purpose: plan.delegation.purpose,
          hops,
          expiresAt: new Date(plan.delegation.expiresAt * 1000).toISOString(),
        },
      };
      await deps.audit.append(
        buildEvent(deps.clock, { principal: delegated, traceId }, "token_exchange", {
          outcome: { status: "ok" },
          data: {
            delegation_id: issued.id,
            parent_id: issued.parentId,
            scope: formatScope(plan.delegation.scope),
          },
        }),
      );
      return {
        access_token: issued.token,
        issued_token_type: TOKEN_TYPE_JWT,
        token_type: "Bearer",
        expires_in: plan.delegation.expiresAt - now,
        scope: formatScope(plan.delegation.scope),
      };
    } catch (error) {
      const refusal = asOAuthError(error);
      await deps.audit.append(refusedEvent(deps, traceId, subject, actor, requested, refusal));
      throw refusal;
    }
  };

  async function authenticateActor(
    token: string | undefined,
    type: string | undefined,
  ): Promise<AgentIdentity> {
    if (!token)
      throw new OAuthError("invalid_request", "actor_token is required: the agent authenticates as itself");
    if (!type || !ACCEPTED_TOKEN_TYPES.has(type))
      throw new OAuthError("invalid_request", "actor_token_type must be a JWT or access token type");
    try {
      return await deps.authenticator.agent(token);
    } catch (error) {
      throw new OAuthError("invalid_client", `actor_token: ${messageOf(error)}`, 401);
    }
  }

  async function authenticateSubject(
    token: string | undefined,
    type: string | undefined,
    headers: IncomingHttpHeaders,
  ): Promise<Delegator> {
    if (!token) {
      // Local development only: the dev-header user delegates, for the default lifetime cap.
      if (deps.identity.mode !== "dev-headers")
        throw new OAuthError("invalid_request", "subject_token is required");
      const principal = principalFromDevHeaders(headers);
      const expiresAt = Math.floor(deps.clock.now().getTime() / 1000) + limits.maxTtlSeconds;
      return { principal, expiresAt };
    }
    if (!type || !ACCEPTED_TOKEN_TYPES.has(type))
      throw new OAuthError("invalid_request", "subject_token_type must be a JWT or access token type");
    try {
      return await deps.authenticator.subject(token);
    } catch (error) {
      throw new OAuthError("invalid_grant", `subject_token: ${messageOf(error)}`);
    }
  }
}

function parseRequest(body: unknown) {
  const parsed = ExchangeRequestSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OAuthError(
      "invalid_request",
      `${issue?.path.join(".") || "request"}: ${issue?.message ?? "invalid"}`,
    );
  }
  if (parsed.data.grant_type !== GRANT_TYPE_TOKEN_EXCHANGE)
    throw new OAuthError("unsupported_grant_type", `grant_type must be ${GRANT_TYPE_TOKEN_EXCHANGE}`);
  if (
    parsed.data.requested_token_type !== undefined &&
    parsed.data.requested_token_type !== TOKEN_TYPE_JWT &&
    parsed.data.requested_token_type !== "urn:ietf:params:oauth:token-type:access_token"
  )
    throw new OAuthError("invalid_request", "requested_token_type must be a JWT");
  return parsed.data;
}

function scopeOf(text: string | undefined): Scope | null {
  if (text === undefined || text.trim() === "") return null;
  const parsed = parseScope(text);
  if (!parsed.ok) throw new OAuthError("invalid_scope", parsed.error);
  return parsed.scope;
}

function limitsOf(d: DelegationConfig) {
  return {
    defaultTtlSeconds: d.default_ttl_seconds,
    maxTtlSeconds: d.max_ttl_seconds,
    maxDepth: d.max_depth,
  };
}

function messageOf(error: unknown): string {
  return isBridleError(error) ? error.message : "could not be verified";
}

function asOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (isBridleError(error) && error.status < 500) return new OAuthError("invalid_request", error.message);
  throw error instanceof BridleError ? error : new BridleError("INTERNAL", "token exchange failed");
}

/** A refused exchange, with whoever could be identified and what they asked for. */
function refusedEvent(
  deps: TokenExchangeDeps,
  traceId: string,
  subject: Principal | null,
  actor: AgentIdentity | null,
  requested: Record<string, unknown>,
  refusal: OAuthError,
): AuditEvent {
  const fields = {
    outcome: { status: "denied" as const, detail: { error: refusal.error, reason: refusal.message } },
    data: { agent: actor?.identity ?? null, requested },
  };
  if (subject) return buildEvent(deps.clock, { principal: subject, traceId }, "token_exchange", fields);
  return {
    ...buildEvent(deps.clock, { principal: ANONYMOUS, traceId }, "token_exchange", fields),
    actor: null,
  };
}

const ANONYMOUS: Principal = {
  email: "anonymous@invalid",
  groups: [],
  deviceCompliant: false,
  authenticatedBy: "oidc",
};
