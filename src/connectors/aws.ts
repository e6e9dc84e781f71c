import { isIPv4 } from "node:net";
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  type DescribeSecurityGroupsCommandInput,
  EC2Client,
  EC2ServiceException,
  type IpPermission,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup as SdkSecurityGroup,
} from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import type { AwsConfig, ConnectorHttpConfig } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { isProduction } from "../core/policy/gateway.js";
import type {
  AwsAccountContext,
  AwsClient,
  IngressChange,
  IngressChangeResult,
  SecurityGroup,
  SecurityGroupRule,
} from "./types.js";

/**
 * AWS connector (AWS SDK v3). Every call first assumes the account's configured role through STS
 * with the gateway's long-term key, naming the session after the caller's trace id and narrowing
 * it with a session policy to the one action the call needs; the temporary credentials then
 * make the EC2 call and are dropped with the clients when the call ends. Nothing is cached.
 * Writes (ingress changes) are sent once: a retried write could apply twice, or report a
 * duplicate for the change it just made.
 */

export interface AwsClientOptions {
  /** DescribeSecurityGroups page size (EC2 accepts 5..1000). */
  pageSize?: number;
  /** Pages read before giving up; a partial list would hide exposures, so running out is an error. */
  maxPages?: number;
}

const MAX_GROUP_IDS = 200;
const GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\//;

/** A least-privilege session policy allowing exactly `action` on `resourceArns`. Pure. */
export function sessionPolicyFor(action: string, resourceArns: string[]): string {
  if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action)) {
    throw new BridleError("INTERNAL", `not a single IAM action: ${action}`);
  }
  if (resourceArns.length === 0)
    throw new BridleError("INTERNAL", "a session policy needs at least one resource");
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "BridleSingleAction", Effect: "Allow", Action: action, Resource: resourceArns }],
  });
}

/** Maps any string (a trace id) into STS's RoleSessionName alphabet `[\w+=,.@-]{2,64}`. Pure. */
export function sanitizeSessionName(name: string): string {
  const cleaned = name.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  return cleaned.length >= 2 ? cleaned : `bridle-${cleaned}`.replace(/-$/, "");
}

/** The ARN of a security group, as session policies for write actions name it. Pure. */
export function securityGroupArn(
  partition: string,
  region: string,
  accountId: string,
  groupId: string,
): string {
  return `arn:${partition}:ec2:${region}:${accountId}:security-group/${groupId}`;
}

interface AccountTarget {
  account: string;
  accountId: string;
  partition: string;
  roleArn: string;
  region: string;
}

/** Reads assume the account's read-only role; writes its change role, and fail closed without one. */
function resolveAccount(cfg: AwsConfig, account: string, purpose: "read" | "change" = "read"): AccountTarget {
  const entry = Object.hasOwn(cfg.accounts, account) ? cfg.accounts[account] : undefined;
  if (!entry) throw new BridleError("BAD_REQUEST", `unknown AWS account "${account.slice(0, 64)}"`);
  const arn = purpose === "change" ? entry.change_role_arn : entry.role_arn;
  if (!arn)
    throw new BridleError(
      "BAD_REQUEST",
      `AWS account "${account}" has no change_role_arn: writes are not configured there`,
    );
  const match = ROLE_ARN.exec(arn);
  if (!match) throw new BridleError("INTERNAL", `account "${account}" has no usable role ARN`);
  return {
    account,
    partition: match[1] as string,
    accountId: match[2] as string,
    roleArn: arn,
    region: entry.region ?? cfg.region,
  };
}

interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * The gateway's long-term key from the configured variables. When neither is set (live mode on
 * an instance role, SSO, a profile…) the SDK's default provider chain is used instead.
 */
function baseCredentials(
  cfg: AwsConfig,
  credential: (envName: string) => string | undefined,
): StaticCredentials | undefined {
  const accessKeyId = credential(cfg.access_key_id_env);
  const secretAccessKey = credential(cfg.secret_access_key_env);
  if (!accessKeyId && !secretAccessKey) return undefined;
  if (!accessKeyId || !secretAccessKey) {
    throw new BridleError(
      "UPSTREAM_ERROR",
      `AWS credentials are incomplete: set both ${cfg.access_key_id_env} and ${cfg.secret_access_key_env}`,
    );
  }
  return { accessKeyId, secretAccessKey };
}

function clientConfig(cfg: AwsConfig, http: ConnectorHttpConfig, region: string, retry = true) {
  return {
    region,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    maxAttempts: retry ? http.retries + 1 : 1,
    requestHandler: {
      connectionTimeout: http.timeout_ms,
      requestTimeout: http.timeout_ms,
      // Without this the handler only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
    },
  };
}

export function createAwsClient(
  cfg: AwsConfig,
  http: ConnectorHttpConfig,
  credential: (envName: string) => string | undefined,
  options: AwsClientOptions = {},
): AwsClient {
  const pageSize = Math.min(1000, Math.max(5, options.pageSize ?? 100));
  const maxPages = Math.max(1, options.maxPages ?? 10);

  /** Assumes the account's role for one action, runs `work` with an EC2 client, then forgets it all. */
  async function runAs<T>(
    target: AccountTarget,
    sessionName: string,
    policy: string,
    work: (ec2: EC2Client, context: AwsAccountContext) => Promise<T>,
    mode: "read" | "write" = "read",
  ): Promise<T> {
    const base = baseCredentials(cfg, credential);
    const sts = new STSClient({
      ...clientConfig(cfg, http, target.region),
      ...(base ? { credentials: base } : {}),
    });
    let assumed: Awaited<ReturnType<typeof assumeRole>>;
    try {
      assumed = await assumeRole(
        sts,
        target,
        sanitizeSessionName(sessionName),
        policy,
        cfg.session_duration_seconds,
      );
    } finally {
      sts.destroy();
    }
    if (accountOfAssumedRole(assumed.assumedRoleArn) !== target.accountId) {
      throw new BridleError("UPSTREAM_ERROR", "STS returned a session in another account", {
        step: "sts:AssumeRole",
      });
    }
    const ec2 = new EC2Client({
      ...clientConfig(cfg, http, target.region, mode === "read"),
      credentials: assumed.credentials,
    });
    try {
      const context = {
        account: target.account,
        accountId: target.accountId,
        region: target.region,
        assumedRoleArn: assumed.assumedRoleArn,
      };
      return await work(ec2, context);
    } finally {
      ec2.destroy();
    }
  }

  return {
    async describeSecurityGroups(account, sessionName, groupIds) {
      const target = resolveAccount(cfg, account);
      const ids = checkGroupIds(groupIds);
      const policy = sessionPolicyFor("ec2:DescribeSecurityGroups", ["*"]);
      return runAs(target, sessionName, policy, async (ec2, context) => {
        const groups = await listGroups(ec2, ids, pageSize, maxPages);
        return { context, groups: groups.map(toSecurityGroup) };
      });
    },

    async modifySecurityGroupIngress(account, sessionName, change) {
      // Defense in depth: the policy gateway already refuses production for this tool.
      if (isProduction(account)) {
        throw new BridleError("FORBIDDEN", "AWS changes to a production account are refused");
      }
      const target = resolveAccount(cfg, account, "change");
      const checked = checkIngressChange(change);
      const action = INGRESS_ACTIONS[checked.operation];
      const resourceArn = securityGroupArn(
        target.partition,
        target.region,
        target.accountId,
        checked.securityGroupId,
      );
      const policy = sessionPolicyFor(action, [resourceArn]);
      return runAs(
        target,
        sessionName,
        policy,
        async (ec2, context): Promise<IngressChangeResult> => ({
          context,
          securityGroupId: checked.securityGroupId,
          operation: checked.operation,
          action,
          resourceArn,
          ruleIds: await sendIngressChange(ec2, checked),
        }),
        "write",
      );
    },
  };
}

const INGRESS_ACTIONS = {
  authorize_ingress: "ec2:AuthorizeSecurityGroupIngress",
  revoke_ingress: "ec2:RevokeSecurityGroupIngress",
} as const;

const PORT_RANGES: Record<IngressChange["protocol"], [number, number] | null> = {
  tcp: [0, 65535],
  udp: [0, 65535],
  icmp: [-1, 255],
  "-1": null,
};

function accountOfAssumedRole(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\//.exec(arn)?.[1];
}

function isIpv4Cidr(cidr: string): boolean {
  const [address = "", prefix = "", ...rest] = cidr.split("/");
  return rest.length === 0 && /^\d{1,2}$/.test(prefix) && Number(prefix) <= 32 && isIPv4(address);
}

/** Checks a change before any request: the arguments reach an AWS API, and a bad one must not. */
function checkIngressChange(change: IngressChange): IngressChange {
  if (!GROUP_ID.test(change.securityGroupId)) {
    throw new BridleError("INVALID_IDENTIFIER", "invalid security group id", {
      group_id: String(change.securityGroupId).slice(0, 64),
    });
  }
  if (!Object.hasOwn(INGRESS_ACTIONS, change.operation)) {
    throw new BridleError("BAD_REQUEST", "operation must be authorize_ingress or revoke_ingress");
  }
  if (!Object.hasOwn(PORT_RANGES, change.protocol)) {
    throw new BridleError("BAD_REQUEST", "protocol must be tcp, udp, icmp or -1");
  }
  const range = PORT_RANGES[change.protocol];
  const inRange = (port: number) =>
    range !== null && Number.isInteger(port) && port >= range[0] && port <= range[1];
  const { fromPort: from, toPort: to } = change;
  if (range && !(inRange(from) && inRange(to))) {
    throw new BridleError("BAD_REQUEST", `ports must be integers in ${range[0]}..${range[1]}`);
  }
  if (range && change.protocol !== "icmp" && from > to) {
    throw new BridleError("BAD_REQUEST", "from port must not exceed to port");
  }
  if (!isIpv4Cidr(change.cidr)) throw new BridleError("BAD_REQUEST", "cidr must be an IPv4 CIDR block");
  return change;
}

function ipPermission(change: IngressChange): IpPermission {
  return {
    IpProtocol: change.protocol,
    // EC2 ignores ports for "all protocols"; sending none keeps the request exact.
    ...(change.protocol === "-1" ? {} : { FromPort: change.fromPort, ToPort: change.toPort }),
    IpRanges: [{ CidrIp: change.cidr }],
  };
}

/** Sends the one write, once; answers the ids of the rules EC2 added or revoked. */
async function sendIngressChange(ec2: EC2Client, change: IngressChange): Promise<string[]> {
  const input = { GroupId: change.securityGroupId, IpPermissions: [ipPermission(change)] };
  const step = INGRESS_ACTIONS[change.operation];
  const fail = (error: unknown): never => {
    throw toBridleError(step, error);
  };
  if (change.operation === "authorize_ingress") {
    const out = await ec2.send(new AuthorizeSecurityGroupIngressCommand(input)).catch(fail);
    if (out.Return === false) throw new BridleError("UPSTREAM_ERROR", `AWS ${step} returned false`, { step });
    return (out.SecurityGroupRules ?? []).flatMap((r) =>
      r.SecurityGroupRuleId ? [r.SecurityGroupRuleId] : [],
    );
  }
  const out = await ec2.send(new RevokeSecurityGroupIngressCommand(input)).catch(fail);
  // In a default VPC EC2 answers success and lists the rules it did not know: nothing was revoked.
  if ((out.UnknownIpPermissions ?? []).length > 0) {
    throw new BridleError("UPSTREAM_NOT_FOUND", "ingress rule not found", { step });
  }
  if (out.Return === false) throw new BridleError("UPSTREAM_ERROR", `AWS ${step} returned false`, { step });
  return (out.RevokedSecurityGroupRules ?? []).flatMap((r) =>
    r.SecurityGroupRuleId ? [r.SecurityGroupRuleId] : [],
  );
}

function checkGroupIds(groupIds: string[] | undefined): string[] {
  const ids = groupIds ?? [];
  if (ids.length > MAX_GROUP_IDS)
    throw new BridleError("INVALID_IDENTIFIER", `at most ${MAX_GROUP_IDS} group ids`);
  const bad = ids.find((id) => !GROUP_ID.test(id));
  if (bad !== undefined) {
    throw new BridleError("INVALID_IDENTIFIER", "invalid security group id", { group_id: bad.slice(0, 64) });
  }
  return ids;
}

async function assumeRole(
  sts: STSClient,
  target: AccountTarget,
  sessionName: string,
  policy: string,
  durationSeconds: number,
): Promise<{ credentials: StaticCredentials & { expiration?: Date }; assumedRoleArn: string }> {
  const step = "sts:AssumeRole";
  const out = await sts
    .send(
      new AssumeRoleCommand({
        RoleArn: target.roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: durationSeconds,
        Policy: policy,
      }),
    )
    .catch((error: unknown) => {
      throw toBridleError(step, error);
    });
  const c = out.Credentials;
  const arn = out.AssumedRoleUser?.Arn;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !arn) {
    throw new BridleError("UPSTREAM_ERROR", "STS AssumeRole answer lacks credentials", { step });
  }
  return {
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    },
    assumedRoleArn: arn,
  };
}

/** EC2 forbids MaxResults together with GroupIds, so named groups come in one call. */
async function listGroups(ec2: EC2Client, ids: string[], pageSize: number, maxPages: number) {
  const step = "ec2:DescribeSecurityGroups";
  const send = (input: DescribeSecurityGroupsCommandInput) =>
    ec2.send(new DescribeSecurityGroupsCommand(input)).catch((error: unknown) => {
      throw toBridleError(step, error);
    });
  if (ids.length > 0) return (await send({ GroupIds: ids })).SecurityGroups ?? [];
  const groups: SdkSecurityGroup[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page += 1) {
    const out = await send({ MaxResults: pageSize, ...(nextToken ? { NextToken: nextToken } : {}) });
    groups.push(...(out.SecurityGroups ?? []));
    nextToken = out.NextToken;
    if (!nextToken) return groups;
  }
  throw new BridleError(
    "UPSTREAM_ERROR",
    `more than ${maxPages * pageSize} security groups; name the groups to describe`,
    {
      step,
    },
  );
}

function toRule(permission: IpPermission): SecurityGroupRule {
  return {
    protocol: permission.IpProtocol ?? "-1",
    fromPort: permission.FromPort ?? null,
    toPort: permission.ToPort ?? null,
    cidrs: (permission.IpRanges ?? []).flatMap((r) => (r.CidrIp ? [r.CidrIp] : [])),
    ipv6Cidrs: (permission.Ipv6Ranges ?? []).flatMap((r) => (r.CidrIpv6 ? [r.CidrIpv6] : [])),
  };
}

function toSecurityGroup(group: SdkSecurityGroup): SecurityGroup {
  if (!group.GroupId) throw new BridleError("UPSTREAM_ERROR", "EC2 returned a security group without an id");
  return {
    groupId: group.GroupId,
    groupName: group.GroupName ?? "",
    vpcId: group.VpcId ?? null,
    description: group.Description ?? "",
    ingress: (group.IpPermissions ?? []).map(toRule),
    egress: (group.IpPermissionsEgress ?? []).map(toRule),
  };
}

/** Maps SDK failures without copying upstream messages (they may quote ARNs and policies). */
function toBridleError(step: string, error: unknown): BridleError {
  if (error instanceof BridleError) return error;
  const name = error instanceof Error ? error.name : "Unknown";
  if (name === "TimeoutError" || (error as { code?: string } | null)?.code === "ETIMEDOUT") {
    return new BridleError("UPSTREAM_TIMEOUT", `AWS ${step} timed out`, { step });
  }
  if (error instanceof STSServiceException || error instanceof EC2ServiceException) {
    const detail = { step, aws_error: error.name, status: error.$metadata.httpStatusCode ?? null };
    if (error.name === "InvalidGroup.NotFound") {
      return new BridleError("UPSTREAM_NOT_FOUND", "security group not found", detail);
    }
    if (error.name === "InvalidPermission.NotFound") {
      return new BridleError("UPSTREAM_NOT_FOUND", "ingress rule not found", detail);
    }
    if (error.name === "InvalidPermission.Duplicate") {
      return new BridleError("CONFLICT", "the ingress rule already exists", detail);
    }
    return new BridleError("UPSTREAM_ERROR", `AWS ${step} failed: ${error.name}`, detail);
  }
  if (name === "CredentialsProviderError") {
    return new BridleError("UPSTREAM_ERROR", "no AWS credentials available to the gateway", { step });
  }
  return new BridleError("UPSTREAM_ERROR", `AWS ${step} request failed`, { step });
}
