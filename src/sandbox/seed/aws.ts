import type { AwsState, SimAccount, SimRole, SimRule, SimSecurityGroup } from "../aws/model.js";

/**
 * The ZYX Bank AWS organisation the simulator starts with. "development" holds the reference
 * scenario's exposure: platform-infra-bastion open to the world on TCP/22 (CHG-18422 / PR 991).
 * It has seven groups so that DescribeSecurityGroups pagination (MaxResults ≥ 5) has two pages.
 */

const READ_ACTIONS = ["ec2:Describe*"];
const CHANGE_ACTIONS = [
  "ec2:Describe*",
  "ec2:AuthorizeSecurityGroupIngress",
  "ec2:RevokeSecurityGroupIngress",
];

function roles(idSuffix: string, changeTrusted: boolean): SimRole[] {
  return [
    {
      name: "bridle-readonly",
      roleId: `AROAREADONLY${idSuffix}`,
      allowedActions: READ_ACTIONS,
      trustsGateway: true,
      maxSessionDurationSeconds: 3600,
    },
    {
      name: "bridle-change",
      roleId: `AROACHANGE00${idSuffix}`,
      allowedActions: CHANGE_ACTIONS,
      // Production changes never run under Bridle's own identity: the trust policy says so too.
      trustsGateway: changeTrusted,
      maxSessionDurationSeconds: 3600,
    },
  ];
}

type RuleSpec = Omit<SimRule, "ruleId">;

const tcp = (port: number, peer: { v4?: string; v6?: string }, description?: string): RuleSpec => ({
  protocol: "tcp",
  fromPort: port,
  toPort: port,
  ...(peer.v4 ? { cidrIpv4: peer.v4 } : {}),
  ...(peer.v6 ? { cidrIpv6: peer.v6 } : {}),
  ...(description ? { description } : {}),
});

const ALL_OUT: RuleSpec = { protocol: "-1", fromPort: null, toPort: null, cidrIpv4: "0.0.0.0/0" };

function group(
  groupId: string,
  groupName: string,
  description: string,
  vpcId: string,
  ingress: RuleSpec[],
  tags: Record<string, string> = {},
): SimSecurityGroup {
  const serial = groupId.slice(-5);
  const withIds = (rules: RuleSpec[], kind: string) =>
    rules.map((rule, i) => ({ ruleId: `sgr-${`0${kind}${serial}`.padEnd(16, "0")}${i}`, ...rule }));
  return {
    groupId,
    groupName,
    description,
    vpcId,
    ingress: withIds(ingress, "a"),
    egress: withIds([ALL_OUT], "e"),
    tags: { Name: groupName, ...tags },
  };
}

function development(): SimAccount {
  const vpc = "vpc-0d1e2f3a4b5c60001";
  const ciVpc = "vpc-0d1e2f3a4b5c60002";
  const infra = { Repository: "platform-infra", Environment: "development" };
  return {
    name: "development",
    accountId: "111111111111",
    roles: roles("DEV01", true),
    securityGroups: [
      group("sg-0a1b2c3d4e5f60000", "default", "default VPC security group", vpc, []),
      group(
        "sg-0a1b2c3d4e5f60001",
        "platform-infra-bastion",
        "Bastion host for platform-infra",
        vpc,
        [tcp(22, { v4: "0.0.0.0/0" }, "SSH for on-call engineers")],
        { ...infra, ChangeTicket: "CHG-18422" },
      ),
      group(
        "sg-0a1b2c3d4e5f60002",
        "platform-infra-web",
        "Internal web tier for platform-infra",
        vpc,
        [tcp(443, { v4: "10.0.0.0/8" }, "HTTPS from the corporate network"), tcp(443, { v6: "::/0" })],
        infra,
      ),
      group(
        "sg-0a1b2c3d4e5f60003",
        "platform-infra-app",
        "Application tier",
        vpc,
        [tcp(8080, { v4: "10.20.0.0/16" })],
        infra,
      ),
      group(
        "sg-0a1b2c3d4e5f60004",
        "platform-infra-db",
        "PostgreSQL",
        vpc,
        [tcp(5432, { v4: "10.20.0.0/16" })],
        infra,
      ),
      group(
        "sg-0a1b2c3d4e5f60005",
        "platform-infra-cache",
        "Redis",
        vpc,
        [tcp(6379, { v4: "10.20.0.0/16" })],
        infra,
      ),
      group("sg-0a1b2c3d4e5f60006", "ci-runners", "CI runners (egress only)", ciVpc, []),
    ],
  };
}

function staging(): SimAccount {
  return {
    name: "staging",
    accountId: "222222222222",
    roles: roles("STG01", true),
    securityGroups: [
      group(
        "sg-0b1c2d3e4f5a60001",
        "platform-infra-web",
        "Internal web tier for platform-infra",
        "vpc-0e1f2a3b4c5d60001",
        [tcp(443, { v4: "10.0.0.0/8" }, "HTTPS from the corporate network")],
        { Repository: "platform-infra", Environment: "staging" },
      ),
    ],
  };
}

function production(): SimAccount {
  return {
    name: "production",
    accountId: "333333333333",
    roles: roles("PRD01", false),
    securityGroups: [
      group(
        "sg-0c1d2e3f4a5b60001",
        "platform-infra-web",
        "Public load balancer for platform-infra",
        "vpc-0f1a2b3c4d5e60001",
        [tcp(443, { v4: "0.0.0.0/0" }, "HTTPS from the internet"), tcp(443, { v6: "::/0" })],
        { Repository: "platform-infra", Environment: "production" },
      ),
    ],
  };
}

export function seedAwsState(): AwsState {
  return {
    gateway: { accountId: "444444444444", userName: "bridle-gateway", userId: "AIDABRIDLEGATEWAY0001" },
    accounts: [development(), staging(), production()],
    sessions: [],
    calls: [],
    actionFaults: [],
  };
}
