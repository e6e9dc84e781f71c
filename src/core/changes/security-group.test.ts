import { describe, expect, it } from "vitest";
import { BASTION_SG, CLOSE_SSH } from "../../../test/support/security-group.js";
import { BridleError } from "../errors.js";
import {
  type DescribedSecurityGroup,
  diff,
  drift,
  inverse,
  isCanonicalIpv4Cidr,
  production,
  resources,
  type SecurityGroupSnapshot,
  snapshotOf,
} from "./security-group.js";

const described: DescribedSecurityGroup = {
  groupId: BASTION_SG,
  groupName: "platform-infra-bastion",
  vpcId: "vpc-0d1e2f3a4b5c60001",
  ingress: [
    { protocol: "tcp", fromPort: 443, toPort: 443, cidrs: ["10.0.0.0/8"], ipv6Cidrs: ["::/0"] },
    { protocol: "tcp", fromPort: 22, toPort: 22, cidrs: ["0.0.0.0/0"], ipv6Cidrs: [] },
  ],
};

const ssh = { protocol: "tcp", from_port: 22, to_port: 22, cidr: "0.0.0.0/0" };
const https4 = { protocol: "tcp", from_port: 443, to_port: 443, cidr: "10.0.0.0/8" };
const https6 = { protocol: "tcp", from_port: 443, to_port: 443, cidr: "::/0" };

describe("snapshotOf", () => {
  it("flattens one rule per peer in canonical order", () => {
    expect(snapshotOf("development", described)).toEqual({
      kind: "aws.security_group",
      account: "development",
      group_id: BASTION_SG,
      group_name: "platform-infra-bastion",
      vpc_id: "vpc-0d1e2f3a4b5c60001",
      ingress: [ssh, https4, https6],
    });
  });

  it("reads protocol numbers and drops the ports of all-traffic rules", () => {
    const snapshot = snapshotOf("development", {
      ...described,
      ingress: [
        { protocol: "6", fromPort: 80, toPort: 80, cidrs: ["10.0.0.0/8"], ipv6Cidrs: [] },
        { protocol: "-1", fromPort: 0, toPort: 65535, cidrs: ["10.1.0.0/16"], ipv6Cidrs: [] },
      ],
    });
    expect(snapshot.ingress).toEqual([
      { protocol: "-1", from_port: null, to_port: null, cidr: "10.1.0.0/16" },
      { protocol: "tcp", from_port: 80, to_port: 80, cidr: "10.0.0.0/8" },
    ]);
  });
});

describe("diff", () => {
  const before = snapshotOf("development", described);

  it("shows revoking SSH from the world as one removed rule", () => {
    expect(diff(before, CLOSE_SSH)).toEqual({
      group: { account: "development", group_id: BASTION_SG, group_name: "platform-infra-bastion" },
      operation: "revoke_ingress",
      rule: ssh,
      before: [ssh, https4, https6],
      after: [https4, https6],
      added: [],
      removed: [ssh],
      no_op: false,
      summary: `revoke tcp 22 from 0.0.0.0/0 on ${BASTION_SG} (platform-infra-bastion) in development`,
    });
  });

  it("shows an authorize as one added rule, in canonical order", () => {
    const vpn = { ...CLOSE_SSH, operation: "authorize_ingress" as const, cidr: "10.8.0.0/16" };
    const result = diff(before, vpn);
    const rule = { protocol: "tcp", from_port: 22, to_port: 22, cidr: "10.8.0.0/16" };
    expect(result.added).toEqual([rule]);
    expect(result.removed).toEqual([]);
    expect(result.after).toEqual([ssh, rule, https4, https6]);
    expect(result.no_op).toBe(false);
  });

  it("shows authorizing a rule that exists as a no-op", () => {
    const result = diff(before, inverse(CLOSE_SSH));
    expect(result).toMatchObject({ added: [], removed: [], no_op: true });
    expect(result.after).toEqual(result.before);
    expect(result.summary).toMatch(/^no change: tcp 22 from 0\.0\.0\.0\/0 is already allowed/);
  });

  it("shows revoking a rule that does not exist as a no-op", () => {
    const result = diff(before, { ...CLOSE_SSH, from_port: 3389, to_port: 3389 });
    expect(result).toMatchObject({ added: [], removed: [], no_op: true });
    expect(result.summary).toContain("is not allowed");
  });

  it("matches all-traffic rules whatever ports the call names", () => {
    const all = snapshotOf("development", {
      ...described,
      ingress: [{ protocol: "-1", fromPort: null, toPort: null, cidrs: ["10.0.0.0/8"], ipv6Cidrs: [] }],
    });
    const result = diff(all, {
      ...CLOSE_SSH,
      protocol: "-1",
      from_port: 0,
      to_port: 65535,
      cidr: "10.0.0.0/8",
    });
    expect(result.removed).toEqual([{ protocol: "-1", from_port: null, to_port: null, cidr: "10.0.0.0/8" }]);
    expect(result.after).toEqual([]);
  });

  it("refuses a snapshot of another group or account, or not a snapshot at all", () => {
    expect(() => diff(before, { ...CLOSE_SSH, security_group_id: "sg-0a1b2c3d4e5f60002" })).toThrow(
      BridleError,
    );
    expect(() => diff(before, { ...CLOSE_SSH, account: "staging" })).toThrow(/another security group/);
    expect(() => diff({ ...before, kind: "something.else" }, CLOSE_SSH)).toThrow(/not a security-group/);
    expect(() => diff(null, CLOSE_SSH)).toThrow(BridleError);
  });
});

describe("inverse", () => {
  it("swaps the operation and keeps the same rule", () => {
    expect(inverse(CLOSE_SSH)).toEqual({ ...CLOSE_SSH, operation: "authorize_ingress" });
    expect(inverse(inverse(CLOSE_SSH))).toEqual(CLOSE_SSH);
  });

  it("undoes the diff it inverts", () => {
    const before = snapshotOf("development", described);
    const change = diff(before, CLOSE_SSH);
    const afterChange: SecurityGroupSnapshot = { ...before, ingress: change.after };
    const undo = diff(afterChange, inverse(CLOSE_SSH));
    expect(undo.added).toEqual(change.removed);
    expect(undo.after).toEqual(before.ingress);
  });
});

describe("drift", () => {
  const after = snapshotOf("development", { ...described, ingress: described.ingress.slice(0, 1) });

  it("is empty when nothing changed (including a reordered but equal state)", () => {
    expect(drift(after, after)).toEqual([]);
    expect(drift(after, { ...after, ingress: [...after.ingress].reverse() })).toEqual([]);
  });

  it("names rules added and removed since the change", () => {
    const now = { ...after, ingress: [ssh, https4] };
    expect(drift(after, now)).toEqual([
      `ingress tcp 443 from ::/0 was removed from ${BASTION_SG} since the change`,
      `ingress tcp 22 from 0.0.0.0/0 was added to ${BASTION_SG} since the change`,
    ]);
  });

  it("treats another group, or something that is not a snapshot, as drift", () => {
    expect(drift(after, { ...after, group_id: "sg-0a1b2c3d4e5f60002" })).toEqual([
      `the snapshots are of different groups: development:${BASTION_SG} and development:sg-0a1b2c3d4e5f60002`,
    ]);
    expect(drift(undefined, after)).toHaveLength(1);
    expect(drift(after, { groups: [] })).toEqual(["the current state is not a security-group snapshot"]);
  });
});

describe("resources and production", () => {
  it("names the one group, with its account", () => {
    expect(resources(CLOSE_SSH)).toEqual([`aws:development:${BASTION_SG}`]);
  });

  it.each([
    ["production", true],
    ["prod", true],
    ["prod-eu", true],
    ["development", false],
    ["staging", false],
    ["preprod", false],
  ])("production(%s) = %s", (account, expected) => {
    expect(production({ ...CLOSE_SSH, account })).toBe(expected);
  });
});

describe("isCanonicalIpv4Cidr", () => {
  it.each([["0.0.0.0/0"], ["10.0.0.0/8"], ["192.168.1.0/24"], ["203.0.113.7/32"]])("accepts %s", (cidr) => {
    expect(isCanonicalIpv4Cidr(cidr)).toBe(true);
  });

  it.each([
    ["10.1.2.3/8"],
    ["010.0.0.0/8"],
    ["256.0.0.0/8"],
    ["10.0.0.0/33"],
    ["10.0.0.0"],
    ["::/0"],
    ["10.0.0.0/08"],
    [" 10.0.0.0/8"],
  ])("refuses %s", (cidr) => {
    expect(isCanonicalIpv4Cidr(cidr)).toBe(false);
  });
});
