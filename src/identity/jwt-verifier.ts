import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { BridleError } from "../core/errors.js";

export interface JwtVerifierOptions {
  /** Required `iss`; omitted only for JWT-SVIDs, whose issuer the SPIFFE spec leaves optional. */
  issuer?: string;
  audience: string;
  jwksUri: string;
  algorithms: readonly string[];
  clockSkewSeconds: number;
  jwksCooldownSeconds: number;
  jwksTimeoutMs: number;
}

export type JwtVerifier = (token: string) => Promise<JWTPayload>;

/** Longer than any real access token; a larger header is refused before any parsing. */
const MAX_TOKEN_CHARS = 8192;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Verifies signed JWTs against one JWKS URL with jose. Keys come only from the configured URL
 * (never from a `jku`/`x5u` a token names); jose caches them, fetches again when a token names
 * an unknown `kid` (so a rotation is picked up without a restart) and at most once per cooldown
 * (so a flood of made-up `kid`s cannot make Bridle hammer the IdP). `exp` is required.
 *
 * Every failure is a 401 whose message tells an operator what was wrong with the token —
 * expired, wrong audience, unknown key — and never echoes claims or key material back.
 */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri), {
    cooldownDuration: options.jwksCooldownSeconds * 1000,
    timeoutDuration: options.jwksTimeoutMs,
  });
  return async (token) => {
    if (token.length > MAX_TOKEN_CHARS || !JWS_COMPACT.test(token)) throw unauthenticated("malformed token");
    try {
      const { payload } = await jwtVerify(token, jwks, {
        ...(options.issuer ? { issuer: options.issuer } : {}),
        audience: options.audience,
        algorithms: [...options.algorithms],
        clockTolerance: options.clockSkewSeconds,
        requiredClaims: ["exp"],
      });
      return payload;
    } catch (error) {
      throw unauthenticated(reasonFor(error));
    }
  };
}

export function unauthenticated(reason: string): BridleError {
  return new BridleError("UNAUTHENTICATED", reason);
}

/** What was wrong with a token, in words for an operator (no claim values, no keys). */
export function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "token expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "nbf":
      case "iat":
        return "token not yet valid";
      case "iss":
        return "token issuer is not trusted";
      case "aud":
        return "token audience is not this service";
      default:
        return `token claim ${error.claim} is missing or invalid`;
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "token signature algorithm is not allowed";
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return "token signing key is not in the identity provider's key set";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "token signature is invalid";
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return "the identity provider's key set could not be fetched";
  if (error instanceof errors.JOSENotSupported) return "token signature algorithm is not allowed";
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return "malformed token";
  if (error instanceof TypeError || (error as { code?: string })?.code === "ERR_JOSE_GENERIC")
    return "the identity provider's key set could not be fetched";
  return "token could not be verified";
}
