import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type AwsCaller, authenticate, claimedService } from "./aws/auth.js";
import { EC2_VERSION, handleEc2 } from "./aws/ec2.js";
import { AwsFault, ec2ErrorXml, missingParameter, stsErrorXml } from "./aws/errors.js";
import { takeActionFault } from "./aws/faults.js";
import type { AwsCallRecord, AwsState } from "./aws/model.js";
import type { QueryParams } from "./aws/query.js";
import { handleSts, STS_VERSION } from "./aws/sts.js";
import type { SandboxCredentials } from "./context.js";
import { seedAwsState } from "./seed/aws.js";
import { parseAuthorization } from "./sigv4.js";

/**
 * The simulated AWS Query endpoint (`connectors.aws.endpoint`). STS and EC2 share it, as the SDK
 * lets one endpoint override serve both; the SigV4 credential scope's service name says which
 * API a request is for. Every request is authenticated for real (see aws/auth.ts).
 */

export { driftIngress, type IngressDrift, type SimRuleSpec } from "./aws/drift.js";
export { failAwsAction } from "./aws/faults.js";
export type {
  AwsActionFault,
  AwsCallRecord,
  AwsState,
  IssuedSession,
  SimAccount,
  SimRule,
  SimSecurityGroup,
} from "./aws/model.js";

export function seedAws(): AwsState {
  return seedAwsState();
}

const VERSIONS = { sts: STS_VERSION, ec2: EC2_VERSION } as const;

export async function registerAws(app: FastifyInstance, state: AwsState, credentials: SandboxCredentials) {
  // SigV4 covers the exact body bytes, so this scope keeps the raw form body instead of the
  // server-wide parsed object.
  app.removeContentTypeParser("application/x-www-form-urlencoded");
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, body);
  });
  app.post("/", (request, reply) => answer(request, reply, state, credentials));
}

function readParams(request: FastifyRequest, body: string): QueryParams {
  const query = request.url.includes("?") ? request.url.slice(request.url.indexOf("?") + 1) : "";
  return {
    ...Object.fromEntries(new URLSearchParams(query)),
    ...Object.fromEntries(new URLSearchParams(body)),
  };
}

function dispatch(
  service: "sts" | "ec2",
  params: QueryParams,
  caller: AwsCaller,
  region: string,
  requestId: string,
  state: AwsState,
) {
  const action = params.Action;
  if (!action) throw new AwsFault("MissingAction", "The request must contain the parameter Action", 400);
  if (params.Version === undefined) throw missingParameter("Version");
  if (params.Version !== VERSIONS[service]) {
    throw new AwsFault(
      "NoSuchVersion",
      `The requested version (${params.Version}) of service ${service} does not exist`,
      400,
    );
  }
  return service === "sts"
    ? handleSts(action, params, { state, caller, requestId, now: new Date() })
    : handleEc2(action, params, { state, caller, requestId, region });
}

async function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  state: AwsState,
  credentials: SandboxCredentials,
) {
  const requestId = randomUUID();
  const body = typeof request.body === "string" ? request.body : "";
  const params = readParams(request, body);
  const authorization = request.headers.authorization;
  const record: AwsCallRecord = {
    service: claimedService(authorization),
    action: params.Action ?? null,
    accessKeyId: authorization ? (parseAuthorization(authorization)?.accessKeyId ?? null) : null,
    errorCode: null,
  };
  state.calls.push(record);
  const raw = { method: request.method, url: request.url, rawHeaders: request.raw.rawHeaders, body };
  try {
    const { caller, service, region } = authenticate(raw, state, credentials, Date.now());
    const fault = takeActionFault(state, params.Action);
    if (fault) throw fault;
    const xml = dispatch(service, params, caller, region, requestId, state);
    return reply.code(200).header("content-type", "text/xml").header("x-amzn-requestid", requestId).send(xml);
  } catch (error) {
    const fault =
      error instanceof AwsFault
        ? error
        : new AwsFault(
            "InternalFailure",
            "The request processing has failed because of an unknown error.",
            500,
            "Receiver",
          );
    record.errorCode = fault.code;
    const xml = record.service === "ec2" ? ec2ErrorXml(fault, requestId) : stsErrorXml(fault, requestId);
    return reply
      .code(fault.status)
      .header("content-type", "text/xml")
      .header("x-amzn-requestid", requestId)
      .send(xml);
  }
}
