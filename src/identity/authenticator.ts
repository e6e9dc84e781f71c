import type { IncomingHttpHeaders } from "node:http";
import { decodeJwt, type JWTPayload } from "jose";
import type { IdentityConfig } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import type { Delegator } from "../core/identity/delegation.js";
import type { Principal } from "../core/principal.js";
import type { IdentityStore } from "../store/identity-store.js";
import type { DelegationTokens } from "./delegation-tokens.js";
import { DELEGATION_ISSUER } from "./delegation-tokens.js";
import { principalFromDevHeaders } from "./dev-headers.js";
import { createJwtVerifier, unauthenticated } from "./jwt-verifier.js";
import { principalFromClaims } from "./oidc-claims.js";

/** An agent proven by its own credential: a JWT-SVID or an OAuth client-credentials token. */
export interface AgentIdentity {
  identity: string;
  expiresAt: number;
}

export interface Authenticator {
  /** Who a request acts as: a human (dev headers or OIDC) or an agent holding a delegation. */
  principal(headers: IncomingHttpHeaders): Promise<Principal>;
  /** An agent's own credential (the `actor_token` of an exchange). */
  agent(token: string): Promise<AgentIdentity>;
  /** The `subject_token` of an exchange: a user's OIDC token or a delegation token. */
  subject(token: string): Promise<Delegator>;
}

export interface AuthenticatorDeps {
  config: IdentityConfig;
  delegations: DelegationTokens;
  store: IdentityStore;
  now: () => Date;
}

/** A use is written to the store at most this often per delegation (last-use is for inventory). */
const USE_WRITE_INTERVAL_MS = 60_000;

/**
 * The one place identity is established, for every face. Which verifier a bearer token goes to
 * is chosen from its unverified `iss`/`sub` — only to route it; the chosen verifier then checks
 * everything, and a token that fits none is refused. In OIDC mode client headers never add
 * identity: with no bearer token the request is unauthenticated, whatever `x-user-*` says.
 */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const { config } = deps;
  const oidc = config.oidc
    ? createJwtVerifier({
        issuer: config.oidc.issuer,
        audience: config.oidc.audience,
        jwksUri: config.oidc.jwks_uri,
        algorithms: config.oidc.algorithms,
        clockSkewSeconds: config.oidc.clock_skew_seconds,
        jwksCooldownSeconds: config.oidc.jwks_cooldown_seconds,
        jwksTimeoutMs: config.oidc.jwks_timeout_ms,
      })
    : null;
  const spiffe = config.spiffe
    ? createJwtVerifier({
        audience: config.spiffe.audience,
        jwksUri: config.spiffe.jwks_uri,
        algorithms: config.spiffe.algorithms,
        clockSkewSeconds: config.spiffe.clock_skew_seconds,
        jwksCooldownSeconds: config.spiffe.jwks_cooldown_seconds,
        jwksTimeoutMs: config.spiffe.jwks_timeout_ms,
      })
    : null;
  const lastUseWrite = new Map<string, number>();

  async function delegation(token: string): Promise<Delegator> {
    const verified = await deps.delegations.verify(token);
    const id = verified.principal.delegation.id;
    const record = await deps.store.getDelegation(id);
    if (!record) throw unauthenticated("delegation is unknown to this Bridle");
    if (record.revoked_at) throw unauthenticated("delegation has been revoked");
    await noteUse(id);
    return { principal: verified.principal, expiresAt: verified.expiresAt };
  }

  async function noteUse(id: string): Promise<void> {
    const now = deps.now();
    const last = lastUseWrite.get(id) ?? 0;
    if (now.getTime() - last < USE_WRITE_INTERVAL_MS) return;
    lastUseWrite.set(id, now.getTime());
    if (lastUseWrite.size > 10_000) lastUseWrite.clear();
    await deps.store.recordUse(id, now.toISOString());
  }

  async function userOrAgentFromIdp(token: string): Promise<{ payload: JWTPayload; agent: string | null }> {
    if (!oidc || !config.oidc)
      throw unauthenticated("OIDC tokens are not accepted: identity.oidc is not configured");
    const payload = await oidc(token);
    // RFC 9068 §2.2: a client-credentials token's `sub` is the client itself.
    const clientId = payload.client_id;
    const agent =
      typeof clientId === "string" && payload.sub === clientId ? `oauth-client:${clientId}` : null;
    return { payload, agent };
  }

  async function userFromIdp(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    const { payload, agent } = await userOrAgentFromIdp(token);
    if (agent)
      throw new BridleError(
        "FORBIDDEN",
        "an agent acts for a user only with a delegation token from POST /v1/token/exchange",
      );
    return { principal: principalFromClaims(payload, config.oidc!), expiresAt: payload.exp! };
  }

  return {
    async principal(headers) {
      const token = bearer(headers);
      if (token === null) {
        if (config.mode === "dev-headers") return principalFromDevHeaders(headers);
        throw unauthenticated("missing bearer token");
      }
      const route = peek(token);
      if (route.iss === DELEGATION_ISSUER) return (await delegation(token)).principal;
      if (route.sub?.startsWith("spiffe://"))
        throw new BridleError(
          "FORBIDDEN",
          "an agent acts for a user only with a delegation token from POST /v1/token/exchange",
        );
      if (config.mode !== "oidc")
        throw unauthenticated("bearer tokens other than delegations need identity.mode oidc");
      return (await userFromIdp(token)).principal;
    },

    async agent(token) {
      const route = peek(token);
      if (route.sub?.startsWith("spiffe://")) {
        if (!spiffe || !config.spiffe)
          throw unauthenticated("JWT-SVIDs are not accepted: identity.spiffe is not configured");
        const payload = await spiffe(token);
        const id = payload.sub ?? "";
        if (!id.startsWith(`spiffe://${config.spiffe.trust_domain}/`))
          throw unauthenticated("the SVID is not from the configured trust domain");
        return { identity: id, expiresAt: payload.exp! };
      }
      const { payload, agent } = await userOrAgentFromIdp(token);
      if (!agent) throw unauthenticated("actor_token is a user's token, not an agent's");
      return { identity: agent, expiresAt: payload.exp! };
    },

    async subject(token) {
      const route = peek(token);
      if (route.iss === DELEGATION_ISSUER) return delegation(token);
      if (route.sub?.startsWith("spiffe://"))
        throw unauthenticated("subject_token must be a user's or a delegation token");
      return userFromIdp(token);
    },
  };
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;

function bearer(headers: IncomingHttpHeaders): string | null {
  const value = headers.authorization;
  if (value === undefined) return null;
  const match = BEARER.exec(value.trim());
  if (!match) throw unauthenticated("authorization header must be 'Bearer <token>'");
  return match[1]!;
}

/** The unverified claims a token says it has, used only to pick its verifier. */
function peek(token: string): { iss?: string; sub?: string } {
  try {
    const claims = decodeJwt(token);
    return {
      ...(typeof claims.iss === "string" ? { iss: claims.iss } : {}),
      ...(typeof claims.sub === "string" ? { sub: claims.sub } : {}),
    };
  } catch {
    throw unauthenticated("malformed token");
  }
}
