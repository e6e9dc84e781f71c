import type { JWTPayload } from "jose";
import type { OidcConfig } from "../config/schema.js";
import type { Principal } from "../core/principal.js";
import { EMAIL } from "./dev-headers.js";
import { unauthenticated } from "./jwt-verifier.js";

const MAX_GROUPS = 100;

/**
 * A verified token's claims as a principal: email, groups and device posture from the claims
 * the configuration names, nothing else. A missing or malformed claim fails closed: no groups
 * is no access, posture is compliant only when the claim is literally `true`.
 */
export function principalFromClaims(payload: JWTPayload, config: OidcConfig): Principal {
  const email = payload[config.email_claim];
  if (typeof email !== "string" || !EMAIL.test(email))
    throw unauthenticated(`token has no usable ${config.email_claim} claim`);
  const groups = payload[config.groups_claim] ?? [];
  if (
    !Array.isArray(groups) ||
    groups.length > MAX_GROUPS ||
    !groups.every((g) => typeof g === "string" && g.length > 0 && g.length <= 200)
  ) {
    throw unauthenticated(`token's ${config.groups_claim} claim must be a list of group names`);
  }
  return {
    email,
    groups: groups as string[],
    deviceCompliant: payload[config.device_claim] === true,
    authenticatedBy: "oidc",
  };
}
