import type { IncomingHttpHeaders } from "node:http";
import { BridleError } from "../core/errors.js";
import type { Principal } from "../core/principal.js";

const MAX_GROUPS = 100;
/** What Bridle accepts as a user's email, from a header or a token claim. */
export const EMAIL = /^[^\s@<>(),;:"]{1,64}@[A-Za-z0-9.-]{1,253}$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Dev-header identity, as the reference does it: only for local development, only on loopback
 * (the server refuses to bind elsewhere in this mode). Values are still validated: a header is
 * client input like any other.
 */
export function principalFromDevHeaders(headers: IncomingHttpHeaders): Principal {
  const email = header(headers, "x-user-email")?.trim();
  if (!email) throw new BridleError("UNAUTHENTICATED", "missing user identity");
  if (!EMAIL.test(email)) throw new BridleError("UNAUTHENTICATED", "malformed user identity");
  const groups = (header(headers, "x-user-groups") ?? "")
    .split(",")
    .map((g) => g.trim())
    .filter((g) => g.length > 0 && g.length <= 200);
  if (groups.length > MAX_GROUPS) throw new BridleError("BAD_REQUEST", "too many groups");
  return {
    email,
    groups,
    deviceCompliant: (header(headers, "x-device-compliant") ?? "").toLowerCase() === "true",
    authenticatedBy: "dev-headers",
  };
}

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
