import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AwsConfig, AwsConfigSchema, ConnectorHttpSchema } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { failAwsAction } from "../sandbox/aws.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { createAwsClient, securityGroupArn, sessionPolicyFor } from "./aws.js";
import type { IngressChange } from "./types.js";

/**
 * AwsClient.modifySecurityGroupIngress against the simulator: the happy path and its errors.
 * Every test gets its own simulator, because every test changes security groups.
 */

const BASTION = "sg-0a1b2c3d4e5f60001";
const APP = "sg-0a1b2c3d4e5f60003";
const SEEDED_SSH_RULE = "sgr-0a600010000000000";
const ACCOUNTS = {
  development: {
    role_arn: "arn:aws:iam::111111111111:role/bridle-readonly",
    change_role_arn: "arn:aws:iam::111111111111:role/bridle-change",
  },
  staging: {
    role_arn: "arn:aws:iam::222222222222:role/bridle-readonly",
    change_role_arn: "arn:aws:iam::222222222222:role/bridle-change",
    region: "ap-southeast-2",
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
const OPEN_SSH: IngressChange = { ...CLOSE_SSH, operation: "authorize_ingress" };

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(() => sandbox.close());

function client(opts: { cfg?: Partial<AwsConfig>; retries?: number } = {}) {
  const credentials: Record<string, string> = { ...sandbox.credentials };
  return createAwsClient(
    AwsConfigSchema.parse({ endpoint: `${sandbox.url}/aws`, accounts: ACCOUNTS, ...opts.cfg }),
    ConnectorHttpSchema.parse({ retries: opts.retries ?? 0 }),
    (name) => credentials[name],
  );
}

async function ingressOf(groupId: string, account = "development") {
  const { groups } = await client().describeSecurityGroups(account, "test-describe", [groupId]);
  return groups[0]?.ingress;
}

async function bridleError(promise: Promise<unknown>): Promise<BridleError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridleError);
  return error as BridleError;
}

const callsOf = (action: string) => sandbox.state.aws.calls.filter((c) => c.action === action);

describe("happy path", () => {
  it("revokes SSH from the world on the seeded bastion, and DescribeSecurityGroups shows it gone", async () => {
    expect(await ingressOf(BASTION)).toEqual([
      { protocol: "tcp", fromPort: 22, toPort: 22, cidrs: ["0.0.0.0/0"], ipv6Cidrs: [] },
    ]);
    const result = await client().modifySecurityGroupIngress("development", "trace-close-ssh", CLOSE_SSH);
    expect(result).toEqual({
      context: {
        account: "development",
        accountId: "111111111111",
        region: "ap-southeast-1",
        assumedRoleArn: "arn:aws:sts::111111111111:assumed-role/bridle-change/trace-close-ssh",
      },
      securityGroupId: BASTION,
      operation: "revoke_ingress",
      action: "ec2:RevokeSecurityGroupIngress",
      resourceArn: `arn:aws:ec2:ap-southeast-1:111111111111:security-group/${BASTION}`,
      ruleIds: [SEEDED_SSH_RULE],
    });
    expect(await ingressOf(BASTION)).toEqual([]);
  });

  it("authorizes it back (the inverse), and DescribeSecurityGroups shows it restored", async () => {
    const aws = client();
    await aws.modifySecurityGroupIngress("development", "trace-close", CLOSE_SSH);
    const result = await aws.modifySecurityGroupIngress("development", "trace-rollback", OPEN_SSH);
    expect(result.action).toBe("ec2:AuthorizeSecurityGroupIngress");
    expect(result.ruleIds).toHaveLength(1);
    expect(result.ruleIds[0]).toMatch(/^sgr-[0-9a-f]{17}$/);
    expect(await ingressOf(BASTION)).toEqual([
      { protocol: "tcp", fromPort: 22, toPort: 22, cidrs: ["0.0.0.0/0"], ipv6Cidrs: [] },
    ]);
  });

  it("sends an all-protocols rule without ports", async () => {
    await client().modifySecurityGroupIngress("development", "trace-all", {
      ...OPEN_SSH,
      securityGroupId: APP,
      protocol: "-1",
      fromPort: 0,
      toPort: 65535,
      cidr: "10.30.0.0/16",
    });
    expect(await ingressOf(APP)).toEqual([
      { protocol: "tcp", fromPort: 8080, toPort: 8080, cidrs: ["10.20.0.0/16"], ipv6Cidrs: [] },
      { protocol: "-1", fromPort: null, toPort: null, cidrs: ["10.30.0.0/16"], ipv6Cidrs: [] },
    ]);
  });

  it("names the account's own region and id in the session policy's ARN", async () => {
    const result = await client().modifySecurityGroupIngress("staging", "trace-staging", {
      ...OPEN_SSH,
      securityGroupId: "sg-0b1c2d3e4f5a60001",
      cidr: "10.9.0.0/16",
    });
    expect(result.resourceArn).toBe(
      "arn:aws:ec2:ap-southeast-2:222222222222:security-group/sg-0b1c2d3e4f5a60001",
    );
    const session = sandbox.state.aws.sessions.find((s) => s.sessionName === "trace-staging");
    expect(session?.policy).toBe(
      sessionPolicyFor("ec2:AuthorizeSecurityGroupIngress", [
        securityGroupArn("aws", "ap-southeast-2", "222222222222", "sg-0b1c2d3e4f5a60001"),
      ]),
    );
  });
});

describe("errors", () => {
  it("maps a duplicate authorize to CONFLICT (409) and changes nothing", async () => {
    const error = await bridleError(
      client().modifySecurityGroupIngress("development", "trace-dup", OPEN_SSH),
    );
    expect(error.code).toBe("CONFLICT");
    expect(error.status).toBe(409);
    expect(error.detail).toEqual({
      step: "ec2:AuthorizeSecurityGroupIngress",
      aws_error: "InvalidPermission.Duplicate",
      status: 400,
    });
    expect(await ingressOf(BASTION)).toHaveLength(1);
  });

  it("maps revoking a rule the group does not have to UPSTREAM_NOT_FOUND", async () => {
    const error = await bridleError(
      client().modifySecurityGroupIngress("development", "trace-missing", {
        ...CLOSE_SSH,
        fromPort: 3389,
        toPort: 3389,
      }),
    );
    expect(error.code).toBe("UPSTREAM_NOT_FOUND");
    expect(error.detail).toMatchObject({ aws_error: "InvalidPermission.NotFound" });
  });

  it("maps an unknown group to UPSTREAM_NOT_FOUND", async () => {
    const error = await bridleError(
      client().modifySecurityGroupIngress("development", "trace-nogroup", {
        ...CLOSE_SSH,
        securityGroupId: "sg-0a1b2c3d4e5f69999",
      }),
    );
    expect(error.code).toBe("UPSTREAM_NOT_FOUND");
    expect(error.detail).toMatchObject({ aws_error: "InvalidGroup.NotFound" });
  });

  it("is refused by AWS under a role that may only read (UPSTREAM_ERROR), changing nothing", async () => {
    const readonly = client({
      cfg: {
        accounts: {
          development: {
            role_arn: "arn:aws:iam::111111111111:role/bridle-readonly",
            change_role_arn: "arn:aws:iam::111111111111:role/bridle-readonly",
          },
        },
      },
    });
    const error = await bridleError(
      readonly.modifySecurityGroupIngress("development", "trace-ro", CLOSE_SSH),
    );
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.detail).toEqual({
      step: "ec2:RevokeSecurityGroupIngress",
      aws_error: "UnauthorizedOperation",
      status: 403,
    });
    expect(await ingressOf(BASTION)).toHaveLength(1);
  });

  it.each<[string, Partial<IngressChange>, string]>([
    ["a malformed group id", { securityGroupId: "sg-1/../x" }, "INVALID_IDENTIFIER"],
    ["a CIDR that is not IPv4", { cidr: "::/0" }, "BAD_REQUEST"],
    ["a CIDR with a bad prefix", { cidr: "10.0.0.0/33" }, "BAD_REQUEST"],
    ["a port out of range", { fromPort: 22, toPort: 70000 }, "BAD_REQUEST"],
    ["a reversed port range", { fromPort: 23, toPort: 22 }, "BAD_REQUEST"],
    ["an unknown protocol", { protocol: "gre" as IngressChange["protocol"] }, "BAD_REQUEST"],
    ["an unknown operation", { operation: "delete" as IngressChange["operation"] }, "BAD_REQUEST"],
  ])("refuses %s before any request", async (_, bad, code) => {
    const calls = sandbox.state.aws.calls.length;
    const error = await bridleError(
      client().modifySecurityGroupIngress("development", "trace-bad", { ...CLOSE_SSH, ...bad }),
    );
    expect(error.code).toBe(code);
    expect(sandbox.state.aws.calls.length).toBe(calls);
  });

  it("never retries a write, though the same fault on a read is retried", async () => {
    failAwsAction(sandbox.state.aws, {
      action: "RevokeSecurityGroupIngress",
      code: "Unavailable",
      status: 503,
      times: 1,
    });
    const error = await bridleError(
      client({ retries: 2 }).modifySecurityGroupIngress("development", "trace-once", CLOSE_SSH),
    );
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(callsOf("RevokeSecurityGroupIngress")).toEqual([
      expect.objectContaining({ errorCode: "Unavailable" }),
    ]);
    expect(await ingressOf(BASTION)).toHaveLength(1);

    failAwsAction(sandbox.state.aws, {
      action: "DescribeSecurityGroups",
      code: "Unavailable",
      status: 503,
      times: 1,
    });
    const before = callsOf("DescribeSecurityGroups").length;
    await client({ retries: 2 }).describeSecurityGroups("development", "trace-read", [BASTION]);
    expect(callsOf("DescribeSecurityGroups").length - before).toBe(2);
  });
});
