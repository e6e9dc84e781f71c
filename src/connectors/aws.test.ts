import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AwsConfig, AwsConfigSchema, ConnectorHttpSchema } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import {
  type AwsClientOptions,
  createAwsClient,
  sanitizeSessionName,
  securityGroupArn,
  sessionPolicyFor,
} from "./aws.js";

/** The AWS connector (STS AssumeRole, then EC2 with the temporary credentials) against the simulator. */

const TRACE = "ai-20260522-abc123def456";
const BASTION = "sg-0a1b2c3d4e5f60001";
const ACCOUNTS = {
  development: { role_arn: "arn:aws:iam::111111111111:role/bridle-readonly" },
  staging: { role_arn: "arn:aws:iam::222222222222:role/bridle-readonly", region: "ap-southeast-2" },
  production: { role_arn: "arn:aws:iam::333333333333:role/bridle-change" },
};

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.clearFaults());

function config(overrides: Partial<AwsConfig> = {}): AwsConfig {
  return AwsConfigSchema.parse({ endpoint: `${sandbox.url}/aws`, accounts: ACCOUNTS, ...overrides });
}

function client(
  opts: {
    http?: object;
    credentials?: Record<string, string | undefined>;
    options?: AwsClientOptions;
    cfg?: Partial<AwsConfig>;
  } = {},
) {
  const credentials: Record<string, string | undefined> = { ...sandbox.credentials, ...opts.credentials };
  return createAwsClient(
    config(opts.cfg),
    ConnectorHttpSchema.parse({ retries: 0, ...opts.http }),
    (name) => credentials[name],
    opts.options,
  );
}

function sessionNamed(name: string) {
  return sandbox.state.aws.sessions.find((s) => s.sessionName === name);
}

async function bridleError(promise: Promise<unknown>): Promise<BridleError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridleError);
  return error as BridleError;
}

describe("happy path", () => {
  it("assumes the account's role named after the trace id, then describes its groups", async () => {
    const { context, groups } = await client().describeSecurityGroups("development", TRACE);
    expect(context).toEqual({
      account: "development",
      accountId: "111111111111",
      region: "ap-southeast-1",
      assumedRoleArn: `arn:aws:sts::111111111111:assumed-role/bridle-readonly/${TRACE}`,
    });
    expect(groups).toHaveLength(7);
    expect(groups.find((g) => g.groupId === BASTION)).toEqual({
      groupId: BASTION,
      groupName: "platform-infra-bastion",
      vpcId: "vpc-0d1e2f3a4b5c60001",
      description: "Bastion host for platform-infra",
      ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrs: ["0.0.0.0/0"], ipv6Cidrs: [] }],
      egress: [{ protocol: "-1", fromPort: null, toPort: null, cidrs: ["0.0.0.0/0"], ipv6Cidrs: [] }],
    });
    expect(groups.find((g) => g.groupName === "platform-infra-web")?.ingress).toEqual([
      { protocol: "tcp", fromPort: 443, toPort: 443, cidrs: ["10.0.0.0/8"], ipv6Cidrs: ["::/0"] },
    ]);
  });

  it("records a session with the trace id, the configured duration and a describe-only session policy", async () => {
    await client({ cfg: { session_duration_seconds: 1200 } }).describeSecurityGroups(
      "development",
      "trace-policy",
    );
    const session = sessionNamed("trace-policy");
    expect(session).toMatchObject({
      durationSeconds: 1200,
      roleName: "bridle-readonly",
      account: "development",
    });
    expect(session?.policy).toBe(sessionPolicyFor("ec2:DescribeSecurityGroups", ["*"]));
    expect(session?.parsedPolicy?.Statement).toEqual([
      { Sid: "BridleSingleAction", Effect: "Allow", Action: "ec2:DescribeSecurityGroups", Resource: ["*"] },
    ]);
  });

  it("assumes a fresh session on every call (nothing cached between calls)", async () => {
    const aws = client();
    await aws.describeSecurityGroups("development", "trace-one");
    await aws.describeSecurityGroups("development", "trace-two");
    expect(sessionNamed("trace-one")?.accessKeyId).toMatch(/^ASIA/);
    expect(sessionNamed("trace-one")?.accessKeyId).not.toBe(sessionNamed("trace-two")?.accessKeyId);
  });

  it("describes only the named groups", async () => {
    const { groups } = await client().describeSecurityGroups("development", TRACE, [BASTION]);
    expect(groups.map((g) => g.groupId)).toEqual([BASTION]);
  });

  it("uses the account's own region and role", async () => {
    const { context, groups } = await client().describeSecurityGroups("staging", TRACE);
    expect(context).toMatchObject({ accountId: "222222222222", region: "ap-southeast-2" });
    expect(groups.map((g) => g.groupId)).toEqual(["sg-0b1c2d3e4f5a60001"]);
  });

  it("sanitizes a trace id into a valid session name", async () => {
    const { context } = await client().describeSecurityGroups("development", "trace id/with:odd*chars");
    expect(context.assumedRoleArn).toMatch(/\/trace-id-with-odd-chars$/);
    expect(sessionNamed("trace-id-with-odd-chars")).toBeDefined();
  });

  it("reads every page, and fails rather than return a partial list", async () => {
    const paged = await client({ options: { pageSize: 5, maxPages: 2 } }).describeSecurityGroups(
      "development",
      TRACE,
    );
    expect(paged.groups).toHaveLength(7);
    const error = await bridleError(
      client({ options: { pageSize: 5, maxPages: 1 } }).describeSecurityGroups("development", TRACE),
    );
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.message).toContain("more than 5 security groups");
  });
});

describe("errors", () => {
  it("rejects an account missing from the config before any request", async () => {
    const calls = sandbox.state.aws.calls.length;
    const error = await bridleError(client().describeSecurityGroups("sandbox-prod", TRACE));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain("unknown AWS account");
    expect(sandbox.state.aws.calls.length).toBe(calls);
  });

  it("rejects a malformed group id before any request", async () => {
    const calls = sandbox.state.aws.calls.length;
    const error = await bridleError(client().describeSecurityGroups("development", TRACE, ["sg-1/../x"]));
    expect(error.code).toBe("INVALID_IDENTIFIER");
    expect(sandbox.state.aws.calls.length).toBe(calls);
  });

  it("maps InvalidGroup.NotFound to UPSTREAM_NOT_FOUND", async () => {
    const error = await bridleError(
      client().describeSecurityGroups("development", TRACE, ["sg-0a1b2c3d4e5f69999"]),
    );
    expect(error.code).toBe("UPSTREAM_NOT_FOUND");
    expect(error.detail).toMatchObject({
      step: "ec2:DescribeSecurityGroups",
      aws_error: "InvalidGroup.NotFound",
    });
  });

  it("maps an AssumeRole refusal (untrusted production change role) to UPSTREAM_ERROR", async () => {
    const error = await bridleError(client().describeSecurityGroups("production", TRACE));
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.detail).toEqual({ step: "sts:AssumeRole", aws_error: "AccessDenied", status: 403 });
  });

  it("maps a slow upstream to UPSTREAM_TIMEOUT", async () => {
    sandbox.injectFault({ pathPrefix: "/aws", delayMs: 2000, times: 1 });
    const started = Date.now();
    const error = await bridleError(
      client({ http: { timeout_ms: 300 } }).describeSecurityGroups("development", TRACE),
    );
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(error.detail).toEqual({ step: "sts:AssumeRole" });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("retries a transient failure within the configured retries", async () => {
    sandbox.injectFault({ pathPrefix: "/aws", status: 503, times: 1 });
    const { groups } = await client({ http: { retries: 1 } }).describeSecurityGroups("development", TRACE);
    expect(groups).toHaveLength(7);
  });
});

describe("security", () => {
  it("maps a wrong secret (SignatureDoesNotMatch) to UPSTREAM_ERROR, issuing no session", async () => {
    const error = await bridleError(
      client({
        credentials: { AWS_SECRET_ACCESS_KEY: "not-the-secret-not-the-secret-not-the-se" },
      }).describeSecurityGroups("development", "trace-bad-secret"),
    );
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.detail).toMatchObject({
      step: "sts:AssumeRole",
      aws_error: "SignatureDoesNotMatch",
      status: 403,
    });
    expect(sessionNamed("trace-bad-secret")).toBeUndefined();
  });

  it("refuses half-configured credentials before any request", async () => {
    const error = await bridleError(
      client({ credentials: { AWS_SECRET_ACCESS_KEY: undefined } }).describeSecurityGroups(
        "development",
        TRACE,
      ),
    );
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.message).toContain("AWS_SECRET_ACCESS_KEY");
  });

  it("EC2 refuses the gateway's long-term key, so the connector must assume a role", async () => {
    const ec2 = new EC2Client({
      region: "ap-southeast-1",
      endpoint: `${sandbox.url}/aws`,
      maxAttempts: 1,
      credentials: {
        accessKeyId: sandbox.credentials.AWS_ACCESS_KEY_ID,
        secretAccessKey: sandbox.credentials.AWS_SECRET_ACCESS_KEY,
      },
    });
    await expect(ec2.send(new DescribeSecurityGroupsCommand({}))).rejects.toMatchObject({
      name: "UnauthorizedOperation",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("sees ingress changes made with assumed change-role credentials", async () => {
    // Its own simulator: this test changes the bastion group the other tests read.
    const own = await startSandbox();
    try {
      const ec2 = await changeRoleEc2(own);
      const ssh = (cidr: string) => [
        { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: cidr }] },
      ];
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: BASTION, IpPermissions: ssh("10.0.0.0/8") }),
      );
      await ec2.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: BASTION, IpPermissions: ssh("0.0.0.0/0") }),
      );
      const aws = createAwsClient(
        AwsConfigSchema.parse({ endpoint: `${own.url}/aws`, accounts: ACCOUNTS }),
        ConnectorHttpSchema.parse({}),
        (name) => (own.credentials as unknown as Record<string, string>)[name],
      );
      const { groups } = await aws.describeSecurityGroups("development", TRACE, [BASTION]);
      expect(groups[0]?.ingress).toEqual([
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrs: ["10.0.0.0/8"], ipv6Cidrs: [] },
      ]);
    } finally {
      await own.close();
    }
  });
});

/** A raw EC2 client running as development's bridle-change role (what a later write tool will do). */
async function changeRoleEc2(sb: Sandbox): Promise<EC2Client> {
  const endpoint = `${sb.url}/aws`;
  const sts = new STSClient({
    region: "ap-southeast-1",
    endpoint,
    credentials: {
      accessKeyId: sb.credentials.AWS_ACCESS_KEY_ID,
      secretAccessKey: sb.credentials.AWS_SECRET_ACCESS_KEY,
    },
  });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: "arn:aws:iam::111111111111:role/bridle-change",
      RoleSessionName: "remediation",
    }),
  );
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error("AssumeRole returned no credentials");
  return new EC2Client({
    region: "ap-southeast-1",
    endpoint,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
  });
}

describe("pure helpers", () => {
  it("sessionPolicyFor allows exactly one action on the given resources", () => {
    const arn = securityGroupArn("aws", "ap-southeast-1", "111111111111", BASTION);
    expect(arn).toBe(`arn:aws:ec2:ap-southeast-1:111111111111:security-group/${BASTION}`);
    expect(JSON.parse(sessionPolicyFor("ec2:AuthorizeSecurityGroupIngress", [arn]))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "BridleSingleAction",
          Effect: "Allow",
          Action: "ec2:AuthorizeSecurityGroupIngress",
          Resource: [arn],
        },
      ],
    });
  });

  it.each([["ec2:*"], ["ec2:Describe*"], ["*"], ["DescribeSecurityGroups"]])(
    "sessionPolicyFor refuses %s",
    (action) => {
      expect(() => sessionPolicyFor(action, ["*"])).toThrow(BridleError);
    },
  );

  it("sessionPolicyFor refuses an empty resource list", () => {
    expect(() => sessionPolicyFor("ec2:DescribeSecurityGroups", [])).toThrow(BridleError);
  });

  it.each([
    ["ai-20260522-abc123def456", "ai-20260522-abc123def456"],
    ["a", "bridle-a"],
    ["", "bridle"],
    ["x".repeat(80), "x".repeat(64)],
    ["ünïcode trace", "-n-code-trace"],
    ["user@zyxbank.example,=+.", "user@zyxbank.example,=+."],
  ])("sanitizeSessionName(%j) = %j", (input, expected) => {
    const name = sanitizeSessionName(input);
    expect(name).toBe(expected);
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});
