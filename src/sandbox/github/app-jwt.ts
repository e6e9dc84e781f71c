import { errors, jwtVerify } from "jose";
import type { SandboxAppRegistration } from "./app.js";

/**
 * Verifies an App JWT the way GitHub documents it: RS256, signed by the app's private key, `iss`
 * naming the app (numeric id or client id), `exp` no more than ten minutes after `iat`, and not
 * expired — with the 60 seconds of clock drift GitHub tolerates. The messages are GitHub's.
 */

const CLOCK_SKEW_SECONDS = 60;
const MAX_LIFETIME_SECONDS = 10 * 60;

export const JWT_UNDECODABLE = "A JSON web token could not be decoded";
const JWT_EXPIRED =
  "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
const JWT_TOO_LONG = "'Expiration time' claim ('exp') is too far in the future";
const JWT_ISSUED_LATER =
  "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";
const JWT_UNKNOWN_ISSUER = "Integration not found";

export type AppJwtVerdict = { ok: true } | { ok: false; message: string };

export function looksLikeJwt(credential: string): boolean {
  return credential.split(".").length === 3;
}

export async function verifyAppJwt(
  jwt: string,
  app: SandboxAppRegistration,
  nowMs: number,
): Promise<AppJwtVerdict> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(jwt, app.publicKey, {
      algorithms: ["RS256"],
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: new Date(nowMs),
      requiredClaims: ["iat", "exp", "iss"],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, message: JWT_EXPIRED };
    return { ok: false, message: JWT_UNDECODABLE };
  }
  const { iat, exp, iss } = payload;
  const now = Math.floor(nowMs / 1000);
  if (typeof iat !== "number" || iat > now + CLOCK_SKEW_SECONDS)
    return { ok: false, message: JWT_ISSUED_LATER };
  if (typeof exp !== "number" || exp - iat > MAX_LIFETIME_SECONDS)
    return { ok: false, message: JWT_TOO_LONG };
  if (exp > now + MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) return { ok: false, message: JWT_TOO_LONG };
  if (String(iss) !== String(app.appId) && iss !== app.clientId) {
    return { ok: false, message: JWT_UNKNOWN_ISSUER };
  }
  return { ok: true };
}
