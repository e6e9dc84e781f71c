import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BASTION_SG, CLOSE_SSH } from "../../../test/support/security-group.js";
import { ConnectorsConfigSchema } from "../../config/schema.js";
import { createConnectors, sandboxConnectorsConfig } from "../../connectors/index.js";
import type { Connectors } from "../../connectors/types.js";
import type { SecurityGroupDiff } from "../../core/changes/security-group.js";
import { driftIngress } from "../../sandbox/aws.js";
import { type Sandbox, startSandbox } from "../../sandbox/server.js";
import { TOOL_CATALOG, awsModifySecurityGroup as tool } from "./catalog.js";

/**
 * The `aws_modify_security_group` tool: its argument schema, and its change support driven end
 * to end over HTTP against the simulator (snapshot → diff → write → snapshot → drift → inverse).
 */

describe("arguments", () => {
  it("is in the catalogue under its policy name", () => {
    expect(TOOL_CATALOG.get("aws_modify_security_group")).toBe(tool);
  });

  it("accepts a well-formed change, with or without ticket and plan (the gateway requires them)", () => {
    expect(tool.input.parse(CLOSE_SSH)).toEqual(CLOSE_SSH);
    const { change_ticket: _t, rollback_plan: _p, ...bare } = CLOSE_SSH;
    expect(tool.input.safeParse(bare).success).toBe(true);
    expect(tool.input.safeParse({ ...CLOSE_SSH, protocol: "icmp", from_port: 8, to_port: 0 }).success).toBe(
      true,
    );
    expect(tool.input.safeParse({ ...CLOSE_SSH, protocol: "-1", from_port: 0, to_port: 65535 }).success).toBe(
      true,
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["an unknown key", { ...CLOSE_SSH, ip_permissions: [] }, ""],
    ["a malformed group id", { ...CLOSE_SSH, security_group_id: "sg-XYZ" }, "security_group_id"],
    ["a short group id", { ...CLOSE_SSH, security_group_id: "sg-0a1b2c3" }, "security_group_id"],
    ["another operation", { ...CLOSE_SSH, operation: "delete_group" }, "operation"],
    ["another protocol", { ...CLOSE_SSH, protocol: "gre" }, "protocol"],
    ["an IPv6 CIDR", { ...CLOSE_SSH, cidr: "::/0" }, "cidr"],
    ["a CIDR with host bits", { ...CLOSE_SSH, cidr: "10.1.2.3/8" }, "cidr"],
    ["a bare address", { ...CLOSE_SSH, cidr: "10.0.0.1" }, "cidr"],
    ["a port above 65535", { ...CLOSE_SSH, to_port: 65536 }, "to_port"],
    ["a negative port", { ...CLOSE_SSH, from_port: -1 }, "from_port"],
    ["a fractional port", { ...CLOSE_SSH, from_port: 22.5 }, "from_port"],
    ["a port as a string", { ...CLOSE_SSH, from_port: "22" }, "from_port"],
    ["from above to", { ...CLOSE_SSH, from_port: 23, to_port: 22 }, "to_port"],
    ["an ICMP type above 255", { ...CLOSE_SSH, protocol: "icmp", from_port: 300, to_port: 0 }, "from_port"],
    ["a non-string ticket", { ...CLOSE_SSH, change_ticket: 18422 }, "change_ticket"],
  ])("refuses %s", (_, args, path) => {
    const parsed = tool.input.safeParse(args);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toContain(path);
  });
});

describe("change support", () => {
  const args = tool.input.parse(CLOSE_SSH);
  let sandbox: Sandbox;
  let connectors: Connectors;
  beforeEach(async () => {
    sandbox = await startSandbox();
    const cfg = ConnectorsConfigSchema.parse({
      http: { retries: 0 },
      aws: {
        accounts: {
          development: {
            role_arn: "arn:aws:iam::111111111111:role/bridle-readonly",
            change_role_arn: "arn:aws:iam::111111111111:role/bridle-change",
          },
        },
      },
    });
    const credentials: Record<string, string> = { ...sandbox.credentials };
    connectors = createConnectors(
      sandboxConnectorsConfig(cfg, sandbox.url, sandbox.githubApp),
      (n) => credentials[n],
    );
  });
  afterEach(() => sandbox.close());

  const change = tool.change;
  if (!change) throw new Error("aws_modify_security_group must have change support");

  it("names its resource and is not production for development", () => {
    expect(change.resources(args)).toEqual([`aws:development:${BASTION_SG}`]);
    expect(change.production(args)).toBe(false);
    expect(change.production({ ...args, account: "production" })).toBe(true);
  });

  it("snapshots the one group with a describe-only session", async () => {
    const snapshot = await change.snapshot(connectors, args, { traceId: "trace-snapshot" });
    expect(snapshot).toEqual({
      kind: "aws.security_group",
      account: "development",
      group_id: BASTION_SG,
      group_name: "platform-infra-bastion",
      vpc_id: "vpc-0d1e2f3a4b5c60001",
      ingress: [{ protocol: "tcp", from_port: 22, to_port: 22, cidr: "0.0.0.0/0" }],
    });
    const session = sandbox.state.aws.sessions.find((s) => s.sessionName === "trace-snapshot");
    expect(session?.parsedPolicy?.Statement[0]?.Action).toBe("ec2:DescribeSecurityGroups");
  });

  it("diffs, writes, sees drift, and undoes the change with its inverse", async () => {
    const ctx = { traceId: "ai-20260522-close-ssh" };
    const before = await change.snapshot(connectors, args, ctx);
    const planned = change.diff(before, args) as SecurityGroupDiff;
    expect(planned.removed).toEqual([{ protocol: "tcp", from_port: 22, to_port: 22, cidr: "0.0.0.0/0" }]);
    expect(planned.no_op).toBe(false);

    await tool.execute(connectors, args, ctx);
    const after = await change.snapshot(connectors, args, ctx);
    expect((after as { ingress: unknown[] }).ingress).toEqual(planned.after);
    expect(change.drift(after, await change.snapshot(connectors, args, ctx))).toEqual([]);

    // Someone reopens SSH from the corporate range in the console behind Bridle's back.
    driftIngress(sandbox.state.aws, "development", BASTION_SG, {
      add: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/8" }],
    });
    const drifted = await change.snapshot(connectors, args, ctx);
    expect(change.drift(after, drifted)).toEqual([
      `ingress tcp 22 from 10.0.0.0/8 was added to ${BASTION_SG} since the change`,
    ]);

    // Once the drift is undone, the rollback runs and restores the state before the change.
    driftIngress(sandbox.state.aws, "development", BASTION_SG, {
      remove: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/8" }],
    });
    expect(change.drift(after, await change.snapshot(connectors, args, ctx))).toEqual([]);
    const undo = change.inverse(args);
    expect(undo.operation).toBe("authorize_ingress");
    expect((change.diff(after, undo) as SecurityGroupDiff).added).toEqual(planned.removed);
    await tool.execute(connectors, undo, { traceId: "ai-20260522-rollback" });
    expect(await change.snapshot(connectors, args, ctx)).toEqual(before);
  });

  it("shows a repeated change as a no-op before it reaches AWS", async () => {
    const open = change.inverse(args);
    const snapshot = await change.snapshot(connectors, open, { traceId: "trace-noop" });
    const planned = change.diff(snapshot, open) as SecurityGroupDiff;
    expect(planned.no_op).toBe(true);
    expect(planned.summary).toContain("already allowed");
    await expect(tool.execute(connectors, open, { traceId: "trace-noop" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });
});
