import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Server-side AWS Signature Version 4 verification (header-signed requests, HMAC-SHA256), as the
 * simulator's STS and EC2 endpoints need it: the request's canonical form is rebuilt from what
 * actually arrived on the wire and re-signed with the secret the simulator knows for the access
 * key, so a connector that signs wrongly, signs with the wrong secret or tampers with the body
 * is refused exactly like AWS refuses it. No I/O and no clock reads: `nowMs` is an argument.
 */

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";
/** AWS refuses requests whose date stamp is more than 15 minutes away from its own clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface SigV4Authorization {
  accessKeyId: string;
  /** YYYYMMDD from the credential scope. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** A request as received: raw path and query as they were on the wire, lower-cased header names. */
export interface SignableRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string[]>;
  /** Hex SHA-256 of the body exactly as received. */
  payloadHash: string;
}

export type SigV4ErrorCode = "IncompleteSignature" | "SignatureDoesNotMatch" | "RequestExpired";

export type SigV4Verdict = { ok: true } | { ok: false; code: SigV4ErrorCode; message: string };

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

/** Parses an `Authorization` header; null when it is not a well-formed SigV4 header. */
export function parseAuthorization(header: string): SigV4Authorization | null {
  const match = AUTH_PATTERN.exec(header.trim());
  if (!match) return null;
  const [, accessKeyId, date, region, service, signed, signature] = match;
  if (!accessKeyId || !date || !region || !service || !signed || !signature) return null;
  return { accessKeyId, date, region, service, signedHeaders: signed.split(";"), signature };
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** RFC 3986 percent-encoding, the one SigV4 prescribes (encodeURIComponent leaves !'()* alone). */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Non-S3 services normalize the path (drop empty, "." and ".." segments) and encode it once more
 * on top of its wire form; that is what the SDK signs, so the server must do the same.
 */
export function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith("/") ? "/" : "";
  const normalized = `/${segments.join("/")}${trailing}`;
  return escapeUri(normalized).replace(/%2F/g, "/");
}

export function canonicalQuery(query: string): string {
  if (query === "") return "";
  const pairs = query
    .split("&")
    .filter((part) => part !== "")
    .map((part) => {
      const eq = part.indexOf("=");
      const key = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? "" : part.slice(eq + 1);
      return [escapeUri(safeDecode(key)), escapeUri(safeDecode(value))] as const;
    });
  pairs.sort(([ka, va], [kb, vb]) => (ka === kb ? compare(va, vb) : compare(ka, kb)));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function canonicalHeaderValue(values: string[]): string {
  return values.map((v) => v.trim().replace(/\s+/g, " ")).join(",");
}

export function canonicalRequest(request: SignableRequest, signedHeaders: string[]): string {
  const names = [...signedHeaders].sort(compare);
  const headerLines = names.map((name) => `${name}:${canonicalHeaderValue(request.headers[name] ?? [])}\n`);
  return [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    headerLines.join(""),
    names.join(";"),
    request.payloadHash,
  ].join("\n");
}

export function credentialScope(auth: Pick<SigV4Authorization, "date" | "region" | "service">): string {
  return `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join("\n");
}

export function computeSignature(
  secretAccessKey: string,
  auth: Pick<SigV4Authorization, "date" | "region" | "service">,
  toSign: string,
): string {
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
  const dateKey = hmac(`AWS4${secretAccessKey}`, auth.date);
  const regionKey = hmac(dateKey, auth.region);
  const serviceKey = hmac(regionKey, auth.service);
  const signingKey = hmac(serviceKey, "aws4_request");
  return createHmac("sha256", signingKey).update(toSign).digest("hex");
}

/** "20150830T123600Z" → epoch ms; null when malformed. */
export function parseAmzDate(value: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Verifies a header-signed request against the secret of `auth.accessKeyId`. Checks, in the order
 * AWS reports them: the date header and signed-header set, the clock skew, then the signature.
 */
export function verifySignature(
  request: SignableRequest,
  auth: SigV4Authorization,
  secretAccessKey: string,
  nowMs: number,
): SigV4Verdict {
  const amzDate = request.headers["x-amz-date"]?.[0];
  if (!amzDate) {
    return fail(
      "IncompleteSignature",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  const requestMs = parseAmzDate(amzDate);
  if (requestMs === null)
    return fail("IncompleteSignature", `Date must be in ISO-8601 'basic format'. Got '${amzDate}'.`);
  if (!auth.signedHeaders.includes("host")) {
    return fail(
      "SignatureDoesNotMatch",
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  if (auth.date !== amzDate.slice(0, 8)) {
    return fail(
      "SignatureDoesNotMatch",
      `Credential should be scoped to a valid date. Date in Credential scope does not match ${amzDate.slice(0, 8)} from ISO-8601 version of date from HTTP.`,
    );
  }
  if (Math.abs(nowMs - requestMs) > MAX_CLOCK_SKEW_MS) {
    return fail("RequestExpired", "Request has expired.");
  }
  const toSign = stringToSign(amzDate, credentialScope(auth), canonicalRequest(request, auth.signedHeaders));
  const expected = Buffer.from(computeSignature(secretAccessKey, auth, toSign), "hex");
  const given = Buffer.from(auth.signature, "hex");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return fail(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
  return { ok: true };
}

function fail(code: SigV4ErrorCode, message: string): SigV4Verdict {
  return { ok: false, code, message };
}
