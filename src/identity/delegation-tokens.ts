import type { KeyObject } from "node:crypto";
import { randomUUID } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import type { PlannedDelegation } from "../core/identity/delegation.js";
import { formatScope, type Scope } from "../core/identity/scope.js";
import type { Principal } from "../core/principal.js";
import { reasonFor, unauthenticated } from "./jwt-verifier.js";

/**
 * Delegation tokens: JWTs Bridle itself signs (EdDSA, its own Ed25519 key) when an agent
 * exchanges a user's token for the right to act for them (RFC 8693). The claims follow the RFC:
 * `sub` is the human, `act` nests the actors with the current one outermost, `scope` is the
 * space-separated grant; Bridle adds the purpose and each hop's scope, which the gateway needs
 * to authorize the intersection of the whole chain.
 */
export const DELEGATION_ISSUER = "urn:bridle:delegation";
export const DELEGATION_AUDIENCE = "urn:bridle:gateway";
export const TOKEN_TYPE_JWT = "urn:ietf:params:oauth:token-type:jwt";

const ScopeSchema = z
  .object({
    tools: z.array(z.string()).max(200),
    workflows: z.array(z.string()).max(200),
    accounts: z.array(z.string()).max(200),
  })
  .strict();

const ClaimsSchema = z.object({
  sub: z.string().min(1),
  jti: z.string().min(1),
  exp: z.number(),
  purpose: z.string().min(1),
  bridle: z
    .object({
      groups: z.array(z.string()).max(100),
      device_compliant: z.boolean(),
      hops: z.array(z.object({ agent: z.string().min(1), scope: ScopeSchema }).strict()).min(1),
      parent: z.string().nullable(),
    })
    .strict(),
});

export interface VerifiedDelegation {
  principal: Principal & { delegation: NonNullable<Principal["delegation"]> };
  parentId: string | null;
  expiresAt: number;
}

export class DelegationTokens {
  constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
  ) {}

  async issue(
    subject: Principal,
    plan: PlannedDelegation,
  ): Promise<{ id: string; token: string; parentId: string | null }> {
    const id = randomUUID();
    const parentId = subject.delegation?.id ?? null;
    const token = await new SignJWT({
      scope: formatScope(plan.scope),
      purpose: plan.purpose,
      act: nestedActor(plan.hops.map((h) => h.agent)),
      bridle: {
        groups: subject.groups,
        device_compliant: subject.deviceCompliant,
        hops: plan.hops,
        parent: parentId,
      },
    })
      .setProtectedHeader({ alg: "EdDSA", typ: "JWT" })
      .setIssuer(DELEGATION_ISSUER)
      .setAudience(DELEGATION_AUDIENCE)
      .setSubject(subject.email)
      .setJti(id)
      .setIssuedAt(plan.issuedAt)
      .setExpirationTime(plan.expiresAt)
      .sign(this.privateKey);
    return { id, token, parentId };
  }

  /** Signature, issuer, audience and expiry; the caller still checks the store (revocation). */
  async verify(token: string): Promise<VerifiedDelegation> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, {
        issuer: DELEGATION_ISSUER,
        audience: DELEGATION_AUDIENCE,
        algorithms: ["EdDSA"],
        clockTolerance: 5,
        requiredClaims: ["exp", "jti", "sub"],
      }));
    } catch (error) {
      throw unauthenticated(
        error instanceof errors.JWTExpired ? "delegation token expired" : `delegation ${reasonFor(error)}`,
      );
    }
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) throw unauthenticated("delegation token claims are malformed");
    const c = claims.data;
    return {
      principal: {
        email: c.sub,
        groups: c.bridle.groups,
        deviceCompliant: c.bridle.device_compliant,
        authenticatedBy: "delegation",
        delegation: {
          id: c.jti,
          purpose: c.purpose,
          hops: c.bridle.hops as { agent: string; scope: Scope }[],
          expiresAt: new Date(c.exp * 1000).toISOString(),
        },
      },
      parentId: c.bridle.parent,
      expiresAt: c.exp,
    };
  }
}

/** RFC 8693 §4.1: the current actor outermost, each prior actor nested inside. */
function nestedActor(agents: readonly string[]): Record<string, unknown> {
  let act: Record<string, unknown> | undefined;
  for (const agent of agents) act = act ? { sub: agent, act } : { sub: agent };
  return act ?? {};
}
