import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  type DescribeSecurityGroupsCommandInput,
  EC2Client,
  type IpPermission,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  GetCallerIdentityCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "./server.js";
import { canonicalRequest, computeSignature, sha256Hex, stringToSign } from "./sigv4.js";

/**
 * The simulated STS + EC2 endpoint, driven by the real AWS SDK v3 clients (and, for the XML
 * shapes, by raw HTTP). Every request is SigV4-verified by the simulator.
 */

const REGION = "ap-southeast-1";
const DEV = "arn:aws:iam::111111111111:role/bridle-readonly";
const DEV_CHANGE = "arn:aws:iam::111111111111:role/bridle-change";
const BASTION = "sg-0a1b2c3d4e5f60001";
const WEB = "sg-0a1b2c3d4e5f60002";
const READ_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ec2:DescribeSecurityGroups", Resource: "*" }],
});

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function gatewayKeys(sandbox: Sandbox): Keys {
  return {
    accessKeyId: sandbox.credentials.AWS_ACCESS_KEY_ID,
    secretAccessKey: sandbox.credentials.AWS_SECRET_ACCESS_KEY,
  };
}

function sts(sandbox: Sandbox, credentials: Keys = gatewayKeys(sandbox), extra: object = {}) {
  return new STSClient({
    region: REGION,
    endpoint: `${sandbox.url}/aws`,
    credentials,
    maxAttempts: 1,
    ...extra,
  });
}

function ec2(sandbox: Sandbox, credentials: Keys) {
  return new EC2Client({ region: REGION, endpoint: `${sandbox.url}/aws`, credentials, maxAttempts: 1 });
}

async function assume(sandbox: Sandbox, input: Partial<AssumeRoleCommandInput> = {}): Promise<Keys> {
  const out = await sts(sandbox).send(
    new AssumeRoleCommand({
      RoleArn: DEV,
      RoleSessionName: "ai-20260522-abc123def456",
      DurationSeconds: 900,
      ...input,
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error("no credentials");
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** The SDK error a promise rejects with: its AWS code, HTTP status and message. */
async function awsError(
  promise: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error("expected the call to fail");
}

/** A hand-signed Query request, for reading the raw XML the SDK would otherwise parse away. */
async function rawPost(sandbox: Sandbox, body: string, keys: Keys, service: "sts" | "ec2", sendBody = body) {
  const url = new URL(`${sandbox.url}/aws/`);
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    host: url.host,
    "x-amz-date": amzDate,
    ...(keys.sessionToken ? { "x-amz-security-token": keys.sessionToken } : {}),
  };
  const signed = Object.keys(headers).sort();
  const scope = { date: amzDate.slice(0, 8), region: REGION, service };
  const canonical = canonicalRequest(
    { method: "POST", path: "/aws/", query: "", headers: mapValues(headers), payloadHash: sha256Hex(body) },
    signed,
  );
  const signature = computeSignature(
    keys.secretAccessKey,
    scope,
    stringToSign(amzDate, `${scope.date}/${REGION}/${service}/aws4_request`, canonical),
  );
  const authorization = `AWS4-HMAC-SHA256 Credential=${keys.accessKeyId}/${scope.date}/${REGION}/${service}/aws4_request, SignedHeaders=${signed.join(";")}, Signature=${signature}`;
  return fetch(url, { method: "POST", headers: { ...headers, authorization }, body: sendBody });
}

function mapValues(headers: Record<string, string>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
}

describe("STS", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it("GetCallerIdentity with the long-term key names the gateway user", async () => {
    const out = await sts(sandbox).send(new GetCallerIdentityCommand({}));
    expect(out).toMatchObject({
      Account: "444444444444",
      Arn: "arn:aws:iam::444444444444:user/bridle-gateway",
    });
  });

  it("AssumeRole issues temporary credentials and records the session with its policy", async () => {
    const before = Date.now();
    const out = await sts(sandbox).send(
      new AssumeRoleCommand({
        RoleArn: DEV,
        RoleSessionName: "trace-42",
        DurationSeconds: 900,
        Policy: READ_POLICY,
      }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.SessionToken?.length).toBeGreaterThan(100);
    const expiry = out.Credentials?.Expiration?.getTime() ?? 0;
    expect(expiry).toBeGreaterThanOrEqual(before + 899_000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::111111111111:assumed-role/bridle-readonly/trace-42");
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    const session = sandbox.state.aws.sessions.at(-1);
    expect(session).toMatchObject({
      accessKeyId: out.Credentials?.AccessKeyId,
      account: "development",
      roleName: "bridle-readonly",
      sessionName: "trace-42",
      policy: READ_POLICY,
      durationSeconds: 900,
    });
    expect(session?.parsedPolicy?.Statement[0]?.Action).toBe("ec2:DescribeSecurityGroups");
  });

  it("GetCallerIdentity with assumed credentials names the assumed role", async () => {
    const keys = await assume(sandbox, { RoleSessionName: "who-am-i" });
    const out = await sts(sandbox, keys).send(new GetCallerIdentityCommand({}));
    expect(out).toMatchObject({
      Account: "111111111111",
      Arn: "arn:aws:sts::111111111111:assumed-role/bridle-readonly/who-am-i",
      UserId: "AROAREADONLYDEV01:who-am-i",
    });
  });

  it("reports every constraint violation at once", async () => {
    const err = await awsError(assume(sandbox, { RoleSessionName: "x", DurationSeconds: 100 }));
    expect(err).toMatchObject({ name: "ValidationError", status: 400 });
    expect(err.message).toContain("2 validation errors detected");
    expect(err.message).toContain("roleSessionName");
    expect(err.message).toContain("durationSeconds");
  });

  it("refuses a session name outside [\\w+=,.@-] and a duration above the role's maximum", async () => {
    expect(await awsError(assume(sandbox, { RoleSessionName: "trace id/1" }))).toMatchObject({
      name: "ValidationError",
    });
    const tooLong = await awsError(assume(sandbox, { DurationSeconds: 7200 }));
    expect(tooLong.message).toContain("MaxSessionDuration");
  });

  it.each([
    ["not JSON", "{"],
    ["no statement", JSON.stringify({ Version: "2012-10-17" })],
    [
      "no resource",
      JSON.stringify({ Statement: [{ Effect: "Allow", Action: "ec2:DescribeSecurityGroups" }] }),
    ],
    ["bad effect", JSON.stringify({ Statement: [{ Effect: "Maybe", Action: "ec2:*", Resource: "*" }] })],
  ])("refuses a malformed session policy (%s) without issuing anything", async (_, policy) => {
    const sessions = sandbox.state.aws.sessions.length;
    const err = await awsError(assume(sandbox, { Policy: policy }));
    expect(err).toMatchObject({ name: "MalformedPolicyDocumentException", status: 400 });
    expect(sandbox.state.aws.sessions.length).toBe(sessions);
  });

  it.each([
    ["an account that does not exist", "arn:aws:iam::999999999999:role/bridle-readonly"],
    ["a role that does not exist", "arn:aws:iam::111111111111:role/admin"],
    ["production's change role (not trusted)", "arn:aws:iam::333333333333:role/bridle-change"],
  ])("denies assuming %s", async (_, roleArn) => {
    const err = await awsError(assume(sandbox, { RoleArn: roleArn }));
    expect(err).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(err.message).toContain("arn:aws:iam::444444444444:user/bridle-gateway is not authorized");
  });

  it("lets production's read-only role be assumed", async () => {
    const keys = await assume(sandbox, { RoleArn: "arn:aws:iam::333333333333:role/bridle-readonly" });
    expect(keys.accessKeyId).toMatch(/^ASIA/);
  });

  it("refuses role chaining (assumed credentials assuming another role)", async () => {
    const keys = await assume(sandbox);
    const err = await awsError(
      sts(sandbox, keys).send(new AssumeRoleCommand({ RoleArn: DEV_CHANGE, RoleSessionName: "chain" })),
    );
    expect(err).toMatchObject({ name: "AccessDenied", status: 403 });
  });
});

describe("SigV4 authentication of the endpoint", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it("refuses an unknown access key", async () => {
    const keys = { accessKeyId: "AKIAUNKNOWNKEY000001", secretAccessKey: "x".repeat(40) };
    expect(await awsError(sts(sandbox, keys).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: "InvalidClientTokenId",
      status: 403,
    });
  });

  it("refuses a request signed with the wrong secret", async () => {
    const keys = { ...gatewayKeys(sandbox), secretAccessKey: "wrong-secret-wrong-secret-wrong-secret-00" };
    expect(await awsError(sts(sandbox, keys).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: "SignatureDoesNotMatch",
      status: 403,
    });
  });

  it("refuses a request dated 20 minutes ago; the SDK then learns the server's clock from Date", async () => {
    const skewed = sts(sandbox, gatewayKeys(sandbox), { systemClockOffset: -20 * 60_000 });
    const err = await awsError(skewed.send(new GetCallerIdentityCommand({})));
    expect(err).toMatchObject({ name: "RequestExpired", status: 400 });
    await expect(skewed.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: "444444444444",
    });
  });

  it("refuses temporary credentials without their session token, or with another one", async () => {
    const keys = await assume(sandbox);
    const { sessionToken: _, ...withoutToken } = keys;
    const describe = new DescribeSecurityGroupsCommand({});
    expect(await awsError(ec2(sandbox, withoutToken).send(describe))).toMatchObject({
      name: "InvalidClientTokenId",
    });
    const other = await assume(sandbox);
    const mixed = { ...keys, sessionToken: other.sessionToken };
    expect(await awsError(ec2(sandbox, mixed).send(describe))).toMatchObject({
      name: "InvalidClientTokenId",
      status: 403,
    });
  });

  it("refuses expired temporary credentials", async () => {
    const keys = await assume(sandbox);
    const session = sandbox.state.aws.sessions.find((s) => s.accessKeyId === keys.accessKeyId);
    if (!session) throw new Error("session not recorded");
    session.expiresAt = new Date(Date.now() - 1000);
    expect(await awsError(ec2(sandbox, keys).send(new DescribeSecurityGroupsCommand({})))).toMatchObject({
      name: "ExpiredToken",
      status: 400,
    });
  });

  it("refuses a body changed after signing", async () => {
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const res = await rawPost(sandbox, body, gatewayKeys(sandbox), "sts", `${body}&Extra=1`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("answers an unsigned request with STS's error document", async () => {
    const res = await fetch(`${sandbox.url}/aws/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(xml).toMatch(
      /<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code><Message>[^<]+<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>/,
    );
  });

  it("answers EC2-scoped failures with EC2's error document", async () => {
    const keys = await assume(sandbox);
    const res = await rawPost(
      sandbox,
      "Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1=sg-00000000",
      keys,
      "ec2",
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(
      /<Response><Errors><Error><Code>InvalidGroup\.NotFound<\/Code><Message>The security group 'sg-00000000' does not exist<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>/,
    );
  });

  it("writes responses in each service's namespace", async () => {
    const keys = await assume(sandbox);
    const stsXml = await (
      await rawPost(sandbox, "Action=GetCallerIdentity&Version=2011-06-15", keys, "sts")
    ).text();
    expect(stsXml).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    const ec2Res = await rawPost(sandbox, "Action=DescribeSecurityGroups&Version=2016-11-15", keys, "ec2");
    expect(ec2Res.headers.get("content-type")).toContain("text/xml");
    expect(await ec2Res.text()).toContain(
      '<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">',
    );
  });

  it("refuses a version of the API it does not speak", async () => {
    const res = await rawPost(
      sandbox,
      "Action=GetCallerIdentity&Version=2010-01-01",
      gatewayKeys(sandbox),
      "sts",
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>NoSuchVersion</Code>");
  });

  it("records every call with its outcome", async () => {
    const calls = sandbox.state.aws.calls.length;
    await sts(sandbox).send(new GetCallerIdentityCommand({}));
    await awsError(ec2(sandbox, gatewayKeys(sandbox)).send(new DescribeSecurityGroupsCommand({})));
    expect(sandbox.state.aws.calls.slice(calls)).toEqual([
      {
        service: "sts",
        action: "GetCallerIdentity",
        accessKeyId: sandbox.credentials.AWS_ACCESS_KEY_ID,
        errorCode: null,
      },
      {
        service: "ec2",
        action: "DescribeSecurityGroups",
        accessKeyId: sandbox.credentials.AWS_ACCESS_KEY_ID,
        errorCode: "UnauthorizedOperation",
      },
    ]);
  });
});

describe("EC2 DescribeSecurityGroups", () => {
  let sandbox: Sandbox;
  let client: EC2Client;
  beforeAll(async () => {
    sandbox = await startSandbox();
    client = ec2(sandbox, await assume(sandbox));
  });
  afterAll(() => sandbox.close());

  const describeGroups = (input: DescribeSecurityGroupsCommandInput = {}) =>
    client.send(new DescribeSecurityGroupsCommand(input));

  it("refuses the gateway's long-term key: only assumed roles may call EC2", async () => {
    const err = await awsError(
      ec2(sandbox, gatewayKeys(sandbox)).send(new DescribeSecurityGroupsCommand({})),
    );
    expect(err).toMatchObject({ name: "UnauthorizedOperation", status: 403 });
  });

  it("lists the development account's groups with the reference exposure", async () => {
    const out = await describeGroups();
    expect(out.SecurityGroups).toHaveLength(7);
    const bastion = out.SecurityGroups?.find((g) => g.GroupId === BASTION);
    expect(bastion).toMatchObject({
      GroupName: "platform-infra-bastion",
      OwnerId: "111111111111",
      VpcId: "vpc-0d1e2f3a4b5c60001",
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
    });
    const web = out.SecurityGroups?.find((g) => g.GroupId === WEB);
    expect(web?.IpPermissions).toEqual([
      expect.objectContaining({
        FromPort: 443,
        IpRanges: [expect.objectContaining({ CidrIp: "10.0.0.0/8" })],
        Ipv6Ranges: [expect.objectContaining({ CidrIpv6: "::/0" })],
      }),
    ]);
  });

  it("pages with MaxResults and NextToken", async () => {
    const first = await describeGroups({ MaxResults: 5 });
    expect(first.SecurityGroups).toHaveLength(5);
    expect(first.NextToken).toBeTruthy();
    const second = await describeGroups({ MaxResults: 5, NextToken: first.NextToken });
    expect(second.SecurityGroups?.map((g) => g.GroupName)).toEqual(["platform-infra-cache", "ci-runners"]);
    expect(second.NextToken).toBeUndefined();
  });

  it.each<[DescribeSecurityGroupsCommandInput, string]>([
    [{ MaxResults: 3 }, "InvalidParameterValue"],
    [{ MaxResults: 5, GroupIds: [BASTION] }, "InvalidParameterCombination"],
    [{ MaxResults: 5, NextToken: "bm90LWEtdG9rZW4" }, "InvalidPaginationToken"],
    [{ GroupIds: ["sg-0a1b2c3d4e5f69999"] }, "InvalidGroup.NotFound"],
    [{ GroupIds: ["sg-xyz"] }, "InvalidGroupId.Malformed"],
    [{ Filters: [{ Name: "owner-alias", Values: ["x"] }] }, "InvalidParameterValue"],
  ])("refuses %j with %s", async (input, code) => {
    expect(await awsError(describeGroups(input))).toMatchObject({ name: code, status: 400 });
  });

  it.each<[DescribeSecurityGroupsCommandInput, string[]]>([
    [{ GroupIds: [WEB, BASTION] }, [BASTION, WEB]],
    [{ Filters: [{ Name: "group-id", Values: [WEB] }] }, [WEB]],
    [{ Filters: [{ Name: "vpc-id", Values: ["vpc-0d1e2f3a4b5c60002"] }] }, ["sg-0a1b2c3d4e5f60006"]],
    [{ Filters: [{ Name: "ip-permission.cidr", Values: ["0.0.0.0/0"] }] }, [BASTION]],
    [{ Filters: [{ Name: "ip-permission.ipv6-cidr", Values: ["::/0"] }] }, [WEB]],
    [{ Filters: [{ Name: "tag:ChangeTicket", Values: ["CHG-*"] }] }, [BASTION]],
    [
      {
        Filters: [
          { Name: "group-name", Values: ["platform-infra-*"] },
          { Name: "ip-permission.from-port", Values: ["5432", "6379"] },
        ],
      },
      ["sg-0a1b2c3d4e5f60004", "sg-0a1b2c3d4e5f60005"],
    ],
  ])("selects %j", async (input, expected) => {
    const out = await describeGroups(input);
    expect(out.SecurityGroups?.map((g) => g.GroupId)).toEqual(expected);
  });

  it("shows each account only its own groups", async () => {
    const staging = ec2(
      sandbox,
      await assume(sandbox, { RoleArn: "arn:aws:iam::222222222222:role/bridle-readonly" }),
    );
    const out = await staging.send(new DescribeSecurityGroupsCommand({}));
    expect(out.SecurityGroups?.map((g) => g.OwnerId)).toEqual(["222222222222"]);
    const err = await awsError(staging.send(new DescribeSecurityGroupsCommand({ GroupIds: [BASTION] })));
    expect(err.name).toBe("InvalidGroup.NotFound");
  });
});

describe("EC2 Authorize/RevokeSecurityGroupIngress", () => {
  let sandbox: Sandbox;
  let client: EC2Client;
  beforeEach(async () => {
    sandbox = await startSandbox();
    client = ec2(sandbox, await assume(sandbox, { RoleArn: DEV_CHANGE }));
  });
  afterEach(() => sandbox.close());

  const ssh = (cidr: string, description?: string): IpPermission => ({
    IpProtocol: "tcp",
    FromPort: 22,
    ToPort: 22,
    IpRanges: [{ CidrIp: cidr, ...(description ? { Description: description } : {}) }],
  });
  const authorize = (perms: IpPermission[], groupId = BASTION) =>
    client.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: perms }));
  const revoke = (perms: IpPermission[]) =>
    client.send(new RevokeSecurityGroupIngressCommand({ GroupId: BASTION, IpPermissions: perms }));
  const bastionCidrs = async () => {
    const out = await client.send(new DescribeSecurityGroupsCommand({ GroupIds: [BASTION] }));
    return out.SecurityGroups?.[0]?.IpPermissions?.flatMap((p) => p.IpRanges?.map((r) => r.CidrIp)) ?? [];
  };

  it("is refused to the read-only role", async () => {
    const readonly = ec2(sandbox, await assume(sandbox));
    const err = await awsError(
      readonly.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: BASTION, IpPermissions: [ssh("10.0.0.0/8")] }),
      ),
    );
    expect(err).toMatchObject({ name: "UnauthorizedOperation", status: 403 });
    expect(err.message).toContain("assumed-role/bridle-readonly");
  });

  it("authorizes a rule that DescribeSecurityGroups then shows", async () => {
    const out = await authorize([ssh("10.0.0.0/8", "corporate network")]);
    expect(out.Return).toBe(true);
    expect(out.SecurityGroupRules?.[0]).toMatchObject({
      GroupId: BASTION,
      IsEgress: false,
      IpProtocol: "tcp",
      FromPort: 22,
      CidrIpv4: "10.0.0.0/8",
      Description: "corporate network",
    });
    expect(out.SecurityGroupRules?.[0]?.SecurityGroupRuleId).toMatch(/^sgr-[0-9a-f]{17}$/);
    expect(await bastionCidrs()).toEqual(["0.0.0.0/0", "10.0.0.0/8"]);
  });

  it("refuses a duplicate rule, all or nothing", async () => {
    const err = await awsError(authorize([ssh("192.168.0.0/16"), ssh("0.0.0.0/0")]));
    expect(err).toMatchObject({ name: "InvalidPermission.Duplicate", status: 400 });
    expect(err.message).toBe(
      'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists',
    );
    expect(await bastionCidrs()).toEqual(["0.0.0.0/0"]);
  });

  it("revokes the reference exposure, then reports it gone", async () => {
    const out = await revoke([ssh("0.0.0.0/0")]);
    expect(out.Return).toBe(true);
    expect(out.RevokedSecurityGroupRules?.[0]?.CidrIpv4).toBe("0.0.0.0/0");
    expect(await bastionCidrs()).toEqual([]);
    expect(await awsError(revoke([ssh("0.0.0.0/0")]))).toMatchObject({
      name: "InvalidPermission.NotFound",
      status: 400,
    });
  });

  it("revokes what matches and reports what did not", async () => {
    const out = await revoke([
      { ...ssh("0.0.0.0/0"), IpRanges: [{ CidrIp: "0.0.0.0/0" }, { CidrIp: "1.2.3.4/32" }] },
    ]);
    expect(out.UnknownIpPermissions?.[0]?.IpRanges).toEqual([{ CidrIp: "1.2.3.4/32" }]);
    expect(await bastionCidrs()).toEqual([]);
  });

  it("revokes by security group rule id", async () => {
    const added = await authorize([ssh("172.16.0.0/12")]);
    const ruleId = added.SecurityGroupRules?.[0]?.SecurityGroupRuleId;
    await client.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: BASTION, SecurityGroupRuleIds: [ruleId ?? ""] }),
    );
    expect(await bastionCidrs()).toEqual(["0.0.0.0/0"]);
  });

  it.each<[string, IpPermission[], string]>([
    ["a malformed CIDR", [ssh("10.0.0/8")], "InvalidParameterValue"],
    ["an IPv4 prefix above 32", [ssh("10.0.0.0/33")], "InvalidParameterValue"],
    [
      "TCP without ports",
      [{ IpProtocol: "tcp", IpRanges: [{ CidrIp: "10.0.0.0/8" }] }],
      "InvalidParameterValue",
    ],
    [
      "an inverted port range",
      [{ ...ssh("10.0.0.0/8"), FromPort: 100, ToPort: 10 }],
      "InvalidParameterValue",
    ],
    ["an unknown protocol", [{ ...ssh("10.0.0.0/8"), IpProtocol: "sctp-ish" }], "InvalidParameterValue"],
    ["no peer", [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22 }], "InvalidParameterValue"],
  ])("refuses %s and changes nothing", async (_, perms, code) => {
    expect(await awsError(authorize(perms))).toMatchObject({ name: code, status: 400 });
    expect(await bastionCidrs()).toEqual(["0.0.0.0/0"]);
  });

  it("refuses an unknown group", async () => {
    expect(await awsError(authorize([ssh("10.0.0.0/8")], "sg-0a1b2c3d4e5f69999"))).toMatchObject({
      name: "InvalidGroup.NotFound",
    });
  });

  it("keeps the change in the simulator's state", async () => {
    await authorize(
      [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: "2001:db8::/32" }] }],
      WEB,
    );
    const web = sandbox.state.aws.accounts[0]?.securityGroups.find((g) => g.groupId === WEB);
    expect(web?.ingress.map((r) => r.cidrIpv4 ?? r.cidrIpv6)).toEqual([
      "10.0.0.0/8",
      "::/0",
      "2001:db8::/32",
    ]);
  });
});
