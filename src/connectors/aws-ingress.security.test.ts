import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type IpPermission,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsConfigSchema, ConnectorHttpSchema } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { createAwsClient, securityGroupArn, sessionPolicyFor } from "./aws.js";
import type { IngressChange } from "./types.js";

/**
 * The write runs with the least privilege AWS can express: one action, on one group's ARN, for
 * the shortest session, named after the trace. The simulator enforces session policies the way
 * IAM does, so these tests also prove that a credential minted for group A cannot touch group B.
 */

const REGION = "ap-southeast-1";
const BASTION = "sg-0a1b2c3d4e5f60001";
const WEB = "sg-0a1b2c3d4e5f60002";
const DEV_CHANGE = "arn:aws:iam::111111111111:role/bridle-change";
const ACCOUNTS = {
  development: { role_arn: "arn:aws:iam::111111111111:role/bridle-readonly", change_role_arn: DEV_CHANGE },
  production: {
    role_arn: "arn:aws:iam::333333333333:role/bridle-readonly",
    change_role_arn: "arn:aws:iam::333333333333:role/bridle-change",
  },
};
const CLOSE_SSH: IngressChange = {
  securityGroupId: BASTION,
  operation: "revoke_ingress",
  protocol: "tcp",
  fromPort: 22,
  toPort: 22,
  cidr: "0.0.0.0/0",
};
const arnOf = (groupId: string) => securityGroupArn("aws", REGION, "111111111111", groupId);

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(() => sandbox.close());

function client() {
  const credentials: Record<string, string> = { ...sandbox.credentials };
  return createAwsClient(
    AwsConfigSchema.parse({ endpoint: `${sandbox.url}/aws`, accounts: ACCOUNTS }),
    ConnectorHttpSchema.parse({ retries: 0 }),
    (name) => credentials[name],
  );
}

/** A raw EC2 client on the change role, narrowed by `policy` exactly as the connector narrows it. */
async function narrowedEc2(policy: string): Promise<EC2Client> {
  const endpoint = `${sandbox.url}/aws`;
  const sts = new STSClient({
    region: REGION,
    endpoint,
    maxAttempts: 1,
    credentials: {
      accessKeyId: sandbox.credentials.AWS_ACCESS_KEY_ID,
      secretAccessKey: sandbox.credentials.AWS_SECRET_ACCESS_KEY,
    },
  });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: DEV_CHANGE, RoleSessionName: "narrowed", Policy: policy }),
  );
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error("no credentials");
  return new EC2Client({
    region: REGION,
    endpoint,
    maxAttempts: 1,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
  });
}

const SSH_FROM_WORLD: IpPermission[] = [
  { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
];
const HTTPS_FROM_CORP: IpPermission[] = [
  { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
];

async function awsError(
  promise: Promise<unknown>,
): Promise<{ name: string; status?: number; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  const e = error as Error & { $metadata?: { httpStatusCode?: number } };
  return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
}

function groupIngress(groupId: string) {
  const account = sandbox.state.aws.accounts.find((a) => a.name === "development");
  return account?.securityGroups
    .find((g) => g.groupId === groupId)
    ?.ingress.map((r) => r.cidrIpv4 ?? r.cidrIpv6);
}

describe("the write's session", () => {
  it("is named after the trace, lasts the configured minimum, and may do one action on one ARN", async () => {
    await client().modifySecurityGroupIngress("development", "ai-20260522-close-ssh", CLOSE_SSH);
    const session = sandbox.state.aws.sessions.find((s) => s.sessionName === "ai-20260522-close-ssh");
    expect(session).toMatchObject({
      roleName: "bridle-change",
      durationSeconds: 900,
      account: "development",
    });
    expect(session?.parsedPolicy?.Statement).toEqual([
      {
        Sid: "BridleSingleAction",
        Effect: "Allow",
        Action: "ec2:RevokeSecurityGroupIngress",
        Resource: [`arn:aws:ec2:ap-southeast-1:111111111111:security-group/${BASTION}`],
      },
    ]);
    // Only the one write ran on that session: no describe, no other action.
    const onSession = sandbox.state.aws.calls.filter((c) => c.accessKeyId === session?.accessKeyId);
    expect(onSession.map((c) => c.action)).toEqual(["RevokeSecurityGroupIngress"]);
  });

  it("names the authorize action when authorizing", async () => {
    await client().modifySecurityGroupIngress("development", "trace-open", {
      ...CLOSE_SSH,
      operation: "authorize_ingress",
      cidr: "10.0.0.0/8",
    });
    const session = sandbox.state.aws.sessions.find((s) => s.sessionName === "trace-open");
    expect(session?.policy).toBe(sessionPolicyFor("ec2:AuthorizeSecurityGroupIngress", [arnOf(BASTION)]));
  });
});

describe("the simulator enforces session policies", () => {
  const onlyRevokeBastion = sessionPolicyFor("ec2:RevokeSecurityGroupIngress", [arnOf(BASTION)]);

  it("a credential for group A cannot modify group B (UnauthorizedOperation), but can modify A", async () => {
    const ec2 = await narrowedEc2(onlyRevokeBastion);
    const refused = await awsError(
      ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: WEB, IpPermissions: HTTPS_FROM_CORP })),
    );
    expect(refused).toMatchObject({ name: "UnauthorizedOperation", status: 403 });
    expect(refused.message).toContain(`on resource: ${arnOf(WEB)}`);
    expect(refused.message).toContain("no session policy allows");
    expect(groupIngress(WEB)).toEqual(["10.0.0.0/8", "::/0"]);

    // The same credential does what its policy allows: the refusal above is the policy's doing.
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: BASTION, IpPermissions: SSH_FROM_WORLD }),
    );
    expect(groupIngress(BASTION)).toEqual([]);
  });

  it("a credential for one action cannot take another, even on its own group", async () => {
    const ec2 = await narrowedEc2(onlyRevokeBastion);
    const authorize = await awsError(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: BASTION, IpPermissions: HTTPS_FROM_CORP }),
      ),
    );
    expect(authorize).toMatchObject({ name: "UnauthorizedOperation", status: 403 });
    const describe = await awsError(ec2.send(new DescribeSecurityGroupsCommand({})));
    expect(describe).toMatchObject({ name: "UnauthorizedOperation", status: 403 });
    expect(groupIngress(BASTION)).toEqual(["0.0.0.0/0"]);
  });

  it("an explicit Deny in the session policy wins over an Allow", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "ec2:RevokeSecurityGroupIngress", Resource: "*" },
        { Effect: "Deny", Action: "ec2:Revoke*", Resource: arnOf(BASTION) },
      ],
    });
    const ec2 = await narrowedEc2(policy);
    const denied = await awsError(
      ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: BASTION, IpPermissions: SSH_FROM_WORLD })),
    );
    expect(denied.name).toBe("UnauthorizedOperation");
    expect(denied.message).toContain("explicit deny in a session policy");
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: WEB, IpPermissions: HTTPS_FROM_CORP }));
    expect(groupIngress(WEB)).toEqual(["::/0"]);
  });

  it("a session policy never widens the role: describe-only role plus an allow-all write policy is refused", async () => {
    const sts = new STSClient({
      region: REGION,
      endpoint: `${sandbox.url}/aws`,
      maxAttempts: 1,
      credentials: {
        accessKeyId: sandbox.credentials.AWS_ACCESS_KEY_ID,
        secretAccessKey: sandbox.credentials.AWS_SECRET_ACCESS_KEY,
      },
    });
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: "arn:aws:iam::111111111111:role/bridle-readonly",
        RoleSessionName: "widen",
        Policy: sessionPolicyFor("ec2:RevokeSecurityGroupIngress", ["*"]),
      }),
    );
    const ec2 = new EC2Client({
      region: REGION,
      endpoint: `${sandbox.url}/aws`,
      maxAttempts: 1,
      credentials: {
        accessKeyId: c?.AccessKeyId ?? "",
        secretAccessKey: c?.SecretAccessKey ?? "",
        sessionToken: c?.SessionToken ?? "",
      },
    });
    const refused = await awsError(
      ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: BASTION, IpPermissions: SSH_FROM_WORLD })),
    );
    expect(refused.name).toBe("UnauthorizedOperation");
    expect(groupIngress(BASTION)).toEqual(["0.0.0.0/0"]);
  });
});

describe("production and secrets", () => {
  it.each([["production"], ["prod-eu"], ["PROD"]])(
    "refuses the account %s before any AWS call",
    async (account) => {
      const error = await client()
        .modifySecurityGroupIngress(account, "trace-prod", CLOSE_SSH)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(BridleError);
      expect((error as BridleError).code).toBe("FORBIDDEN");
      expect(sandbox.state.aws.calls).toEqual([]);
      expect(sandbox.state.aws.sessions).toEqual([]);
    },
  );

  it("puts no credential or upstream message in a failed write's error", async () => {
    const error = await client()
      .modifySecurityGroupIngress("development", "trace-dup", {
        ...CLOSE_SSH,
        operation: "authorize_ingress",
      })
      .then(
        () => null,
        (e: unknown) => e as BridleError,
      );
    expect(error?.code).toBe("CONFLICT");
    const session = sandbox.state.aws.sessions.find((s) => s.sessionName === "trace-dup");
    const shown = `${error?.message} ${JSON.stringify(error?.detail)}`;
    for (const secret of [
      session?.accessKeyId,
      session?.secretAccessKey,
      session?.sessionToken,
      sandbox.credentials.AWS_ACCESS_KEY_ID,
      sandbox.credentials.AWS_SECRET_ACCESS_KEY,
    ]) {
      expect(secret).toBeTruthy();
      expect(shown).not.toContain(secret);
    }
    // EC2's own message quotes the rule ("the specified rule \"peer: …\" already exists"); the
    // error keeps only the AWS error code.
    expect(shown).not.toContain("the specified rule");
    expect(shown).not.toContain("peer:");
  });
});
