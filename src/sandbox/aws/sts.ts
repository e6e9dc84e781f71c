import { randomBytes } from "node:crypto";
import type { AwsCaller } from "./auth.js";
import { AwsFault, validationError } from "./errors.js";
import {
  type AwsState,
  gatewayUserArn,
  type IssuedSession,
  roleArn,
  type SimAccount,
  type SimRole,
} from "./model.js";
import { parseSessionPolicy } from "./policy.js";
import type { QueryParams } from "./query.js";
import { el, optional, STS_NAMESPACE, xmlDocument } from "./xml.js";

/** STS 2011-06-15 (awsQuery): AssumeRole and GetCallerIdentity. */

export const STS_VERSION = "2011-06-15";

export interface StsContext {
  state: AwsState;
  caller: AwsCaller;
  requestId: string;
  now: Date;
}

export function handleSts(action: string, params: QueryParams, ctx: StsContext): string {
  switch (action) {
    case "AssumeRole":
      return assumeRole(params, ctx);
    case "GetCallerIdentity":
      return getCallerIdentity(ctx);
    default:
      throw new AwsFault(
        "InvalidAction",
        `Could not find operation ${action} for version ${STS_VERSION}`,
        400,
      );
  }
}

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

interface AssumeRoleInput {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  policy: string | null;
}

/** Collects every constraint violation, as STS reports them ("2 validation errors detected: …"). */
function readAssumeRoleInput(params: QueryParams): AssumeRoleInput {
  const problems: string[] = [];
  const { RoleArn, RoleSessionName, DurationSeconds, Policy } = params;
  if (RoleArn === undefined)
    problems.push("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  else if (RoleArn.length < 20 || RoleArn.length > 2048) {
    problems.push(
      `Value '${RoleArn}' at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048`,
    );
  }
  if (RoleSessionName === undefined) {
    problems.push("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  } else if (!SESSION_NAME.test(RoleSessionName)) {
    problems.push(
      `Value '${RoleSessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64`,
    );
  }
  const duration = DurationSeconds === undefined ? 3600 : Number(DurationSeconds);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    problems.push(
      `Value '${DurationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
    );
  }
  if (Policy !== undefined && (Policy.length < 1 || Policy.length > 2048)) {
    problems.push(
      "Value at 'policy' failed to satisfy constraint: Member must have length between 1 and 2048",
    );
  }
  if (problems.length > 0) {
    const count = problems.length === 1 ? "1 validation error" : `${problems.length} validation errors`;
    throw validationError(`${count} detected: ${problems.join("; ")}`);
  }
  return {
    roleArn: RoleArn as string,
    sessionName: RoleSessionName as string,
    durationSeconds: duration,
    policy: Policy ?? null,
  };
}

function findRole(state: AwsState, arn: string): { account: SimAccount; role: SimRole } | null {
  const match = ROLE_ARN.exec(arn);
  if (!match) return null;
  const account = state.accounts.find((a) => a.accountId === match[1]);
  const role = account?.roles.find((r) => roleArn(account, r) === arn);
  return account && role ? { account, role } : null;
}

function assumeRole(params: QueryParams, ctx: StsContext): string {
  const input = readAssumeRoleInput(params);
  const parsedPolicy = input.policy === null ? null : parseSessionPolicy(input.policy);
  const principal =
    ctx.caller.kind === "gateway" ? gatewayUserArn(ctx.state.gateway) : ctx.caller.session.assumedRoleArn;
  const target = findRole(ctx.state, input.roleArn);
  // Role chaining is refused: only the gateway's own identity may assume roles.
  if (!target?.role.trustsGateway || ctx.caller.kind !== "gateway") {
    throw new AwsFault(
      "AccessDenied",
      `User: ${principal} is not authorized to perform: sts:AssumeRole on resource: ${input.roleArn}`,
      403,
    );
  }
  if (input.durationSeconds > target.role.maxSessionDurationSeconds) {
    throw validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  const session = issueSession(target.account, target.role, input, parsedPolicy, ctx.now);
  ctx.state.sessions.push(session);
  return assumeRoleXml(session, ctx.requestId);
}

function issueSession(
  account: SimAccount,
  role: SimRole,
  input: AssumeRoleInput,
  parsedPolicy: IssuedSession["parsedPolicy"],
  now: Date,
): IssuedSession {
  const base32 = (n: number) =>
    Array.from(randomBytes(n), (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[b % 32]).join("");
  return {
    accessKeyId: `ASIA${base32(16)}`,
    secretAccessKey: randomBytes(30).toString("base64"),
    sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(180).toString("base64")}`,
    account: account.name,
    accountId: account.accountId,
    roleName: role.name,
    roleArn: roleArn(account, role),
    assumedRoleArn: `arn:aws:sts::${account.accountId}:assumed-role/${role.name}/${input.sessionName}`,
    assumedRoleId: `${role.roleId}:${input.sessionName}`,
    sessionName: input.sessionName,
    policy: input.policy,
    parsedPolicy,
    durationSeconds: input.durationSeconds,
    issuedAt: now,
    expiresAt: new Date(now.getTime() + input.durationSeconds * 1000),
  };
}

/** ISO 8601 without milliseconds, as STS writes Expiration. */
function awsTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function assumeRoleXml(session: IssuedSession, requestId: string): string {
  const packed =
    session.policy === null ? null : Math.max(1, Math.ceil((session.policy.length / 2048) * 100));
  return xmlDocument(
    "AssumeRoleResponse",
    STS_NAMESPACE,
    el(
      "AssumeRoleResult",
      el("AssumedRoleUser", el("AssumedRoleId", session.assumedRoleId), el("Arn", session.assumedRoleArn)),
      el(
        "Credentials",
        el("AccessKeyId", session.accessKeyId),
        el("SecretAccessKey", session.secretAccessKey),
        el("SessionToken", session.sessionToken),
        el("Expiration", awsTimestamp(session.expiresAt)),
      ),
      optional("PackedPolicySize", packed),
    ),
    el("ResponseMetadata", el("RequestId", requestId)),
  );
}

function getCallerIdentity(ctx: StsContext): string {
  const { caller, state } = ctx;
  const identity =
    caller.kind === "gateway"
      ? { userId: state.gateway.userId, account: state.gateway.accountId, arn: gatewayUserArn(state.gateway) }
      : {
          userId: caller.session.assumedRoleId,
          account: caller.session.accountId,
          arn: caller.session.assumedRoleArn,
        };
  return xmlDocument(
    "GetCallerIdentityResponse",
    STS_NAMESPACE,
    el(
      "GetCallerIdentityResult",
      el("Arn", identity.arn),
      el("UserId", identity.userId),
      el("Account", identity.account),
    ),
    el("ResponseMetadata", el("RequestId", ctx.requestId)),
  );
}
