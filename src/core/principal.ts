import type { Scope } from "./identity/scope.js";

/**
 * Who is asking. Built by the identity layer (dev headers, a verified OIDC token, or a
 * delegation token Bridle issued); the gateway trusts nothing else about the caller.
 */
export interface Principal {
  /** The human at the root of the request, also when an agent acts for them. */
  email: string;
  groups: readonly string[];
  deviceCompliant: boolean;
  /** How the identity was established, for the audit record. */
  authenticatedBy: "dev-headers" | "oidc" | "cli" | "delegation";
  /** Present when an agent acts for the human: the delegation it holds. */
  delegation?: DelegationContext;
}

/** One hop of a delegation chain: the agent that received it and the scope it was given. */
export interface DelegationHop {
  agent: string;
  scope: Scope;
}

export interface DelegationContext {
  /** The delegation's id (the token's `jti`). */
  id: string;
  purpose: string;
  /** Root first: the agent the human delegated to, then each sub-agent; the last one acts. */
  hops: readonly DelegationHop[];
  expiresAt: string;
}

/** The agent acting for the principal, if any. */
export function actingAgent(principal: Principal): string | null {
  return principal.delegation?.hops.at(-1)?.agent ?? null;
}
