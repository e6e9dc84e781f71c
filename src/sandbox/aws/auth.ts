import type { SandboxCredentials } from "../context.js";
import { parseAuthorization, type SigV4ErrorCode, sha256Hex, verifySignature } from "../sigv4.js";
import { AwsFault } from "./errors.js";
import type { AwsState, IssuedSession } from "./model.js";

/**
 * Authenticates a request to the simulated AWS endpoint the way AWS does: the SigV4 signature is
 * recomputed with the secret the simulator knows for the access key id. The long-term key is the
 * one minted for this sandbox (SandboxCredentials); temporary keys are the ones STS issued, and
 * must come with their session token and before their expiry.
 */

export interface RawAwsRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  /** Node's rawHeaders: name, value, name, value… */
  rawHeaders: string[];
  body: string;
}

export type AwsCaller =
  | { kind: "gateway"; accessKeyId: string }
  | { kind: "session"; accessKeyId: string; session: IssuedSession };

export interface AuthenticatedRequest {
  caller: AwsCaller;
  /** The service from the credential scope: it decides which API answers. */
  service: "sts" | "ec2";
  region: string;
}

const STATUS: Record<SigV4ErrorCode, number> = {
  IncompleteSignature: 400,
  RequestExpired: 400,
  SignatureDoesNotMatch: 403,
};

/** The service a request was signed for, read without verifying anything (to pick the error shape). */
export function claimedService(authorization: string | undefined): "sts" | "ec2" | null {
  const service = authorization ? parseAuthorization(authorization)?.service : undefined;
  return service === "sts" || service === "ec2" ? service : null;
}

export function authenticate(
  request: RawAwsRequest,
  state: AwsState,
  credentials: Pick<SandboxCredentials, "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY">,
  nowMs: number,
): AuthenticatedRequest {
  const headers = headerMap(request.rawHeaders);
  const header = headers.authorization?.[0];
  if (!header)
    throw new AwsFault("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
  const auth = parseAuthorization(header);
  if (!auth) {
    throw new AwsFault(
      "IncompleteSignature",
      "Authorization header is not a valid AWS4-HMAC-SHA256 signature.",
      400,
    );
  }
  if (auth.service !== "sts" && auth.service !== "ec2") {
    throw new AwsFault(
      "SignatureDoesNotMatch",
      "Credential should be scoped to correct service: 'sts' or 'ec2'.",
      403,
    );
  }
  const token = headers["x-amz-security-token"]?.[0];
  const { caller, secret } = resolveKey(auth.accessKeyId, token, state, credentials, nowMs);
  const [path = "/", query = ""] = splitUrl(request.url);
  const verdict = verifySignature(
    { method: request.method, path, query, headers, payloadHash: sha256Hex(request.body) },
    auth,
    secret,
    nowMs,
  );
  if (!verdict.ok) throw new AwsFault(verdict.code, verdict.message, STATUS[verdict.code]);
  return { caller, service: auth.service, region: auth.region };
}

function resolveKey(
  accessKeyId: string,
  token: string | undefined,
  state: AwsState,
  credentials: Pick<SandboxCredentials, "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY">,
  nowMs: number,
): { caller: AwsCaller; secret: string } {
  const invalid = () =>
    new AwsFault("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
  if (accessKeyId === credentials.AWS_ACCESS_KEY_ID) {
    // A long-term key carries no session token; one sent alongside it means a mixed-up client.
    if (token !== undefined) throw invalid();
    return { caller: { kind: "gateway", accessKeyId }, secret: credentials.AWS_SECRET_ACCESS_KEY };
  }
  const session = state.sessions.find((s) => s.accessKeyId === accessKeyId);
  if (!session || token !== session.sessionToken) throw invalid();
  if (session.expiresAt.getTime() <= nowMs) {
    throw new AwsFault("ExpiredToken", "The security token included in the request is expired", 400);
  }
  return { caller: { kind: "session", accessKeyId, session }, secret: session.secretAccessKey };
}

function headerMap(rawHeaders: string[]): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    map[name] = [...(map[name] ?? []), rawHeaders[i + 1] as string];
  }
  return map;
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf("?");
  return q < 0 ? [url, ""] : [url.slice(0, q), url.slice(q + 1)];
}
