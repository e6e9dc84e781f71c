import { randomBytes } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { type Ec2Request, GROUP_ID } from "./ec2-describe.js";
import { securityGroupRuleXml } from "./ec2-xml.js";
import { AwsFault, invalidParameterValue, missingParameter } from "./errors.js";
import type { SimRule, SimSecurityGroup } from "./model.js";
import { indexedMembers, indexedValues, optionalInt, type QueryParams } from "./query.js";
import { EC2_NAMESPACE, el, itemList, xmlDocument } from "./xml.js";

/**
 * EC2 AuthorizeSecurityGroupIngress / RevokeSecurityGroupIngress over `IpPermissions.N.*` (and
 * `SecurityGroupRuleId.N` for revoke). Both are all-or-nothing like EC2: every rule is checked
 * before the group is touched.
 */

type RuleSpec = Omit<SimRule, "ruleId">;

const MAX_INGRESS_RULES = 60;
const PROTOCOL_NUMBERS: Record<string, string> = {
  "6": "tcp",
  "17": "udp",
  "1": "icmp",
  "58": "icmpv6",
  all: "-1",
};
const DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{0,255}$/;

function protocolOf(raw: string | undefined): string {
  if (raw === undefined) throw missingParameter("ipPermissions.ipProtocol");
  const lower = raw.toLowerCase();
  const protocol = PROTOCOL_NUMBERS[lower] ?? lower;
  if (["tcp", "udp", "icmp", "icmpv6", "-1"].includes(protocol) || /^\d{1,3}$/.test(protocol))
    return protocol;
  throw invalidParameterValue(`Invalid value '${raw}' for IP protocol. Unknown protocol.`);
}

function portsOf(protocol: string, member: QueryParams): { fromPort: number | null; toPort: number | null } {
  if (protocol !== "tcp" && protocol !== "udp" && protocol !== "icmp" && protocol !== "icmpv6") {
    return { fromPort: null, toPort: null };
  }
  const from = optionalInt(member, "FromPort");
  const to = optionalInt(member, "ToPort");
  if (from === undefined || to === undefined) {
    throw invalidParameterValue(
      "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.",
    );
  }
  const [min, max] = protocol.startsWith("icmp") ? [-1, 255] : [0, 65535];
  if (from < min || to < min || from > max || to > max || (!protocol.startsWith("icmp") && from > to)) {
    throw invalidParameterValue(`Invalid ${protocol.toUpperCase()} port range: ${from}-${to}`);
  }
  return { fromPort: from, toPort: to };
}

function checkCidr(cidr: string | undefined, family: 4 | 6): string {
  const [address = "", prefix = "", ...rest] = (cidr ?? "").split("/");
  const valid =
    rest.length === 0 &&
    /^\d{1,3}$/.test(prefix) &&
    Number(prefix) <= (family === 4 ? 32 : 128) &&
    (family === 4 ? isIPv4(address) : isIPv6(address));
  if (!valid) throw invalidParameterValue(`CIDR block ${cidr ?? "(missing)"} is malformed`);
  return cidr as string;
}

function checkDescription(description: string | undefined): string | undefined {
  if (description !== undefined && !DESCRIPTION.test(description)) {
    throw invalidParameterValue(
      "Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*",
    );
  }
  return description;
}

/** Flattens `IpPermissions.N.*` into one rule per peer, as EC2 stores them. */
function readRuleSpecs(params: QueryParams): RuleSpec[] {
  const permissions = indexedMembers(params, "IpPermissions");
  if (permissions.length === 0) throw missingParameter("ipPermissions");
  return permissions.flatMap((member) => {
    if (indexedMembers(member, "Groups").length > 0 || indexedMembers(member, "PrefixListIds").length > 0) {
      throw invalidParameterValue("The sandbox models CIDR peers only (IpRanges, Ipv6Ranges).");
    }
    const protocol = protocolOf(member.IpProtocol);
    const ports = portsOf(protocol, member);
    const v4 = indexedMembers(member, "IpRanges").map((r) => ({
      cidrIpv4: checkCidr(r.CidrIp, 4),
      description: checkDescription(r.Description),
    }));
    const v6 = indexedMembers(member, "Ipv6Ranges").map((r) => ({
      cidrIpv6: checkCidr(r.CidrIpv6, 6),
      description: checkDescription(r.Description),
    }));
    if (v4.length + v6.length === 0) {
      throw invalidParameterValue(
        "Either 'ipRanges', 'ipv6Ranges', 'prefixListIds' or 'userIdGroupPairs' must be specified.",
      );
    }
    return [...v4, ...v6].map((peer) => withoutUndefined({ protocol, ...ports, ...peer }));
  });
}

function withoutUndefined(spec: RuleSpec): RuleSpec {
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as RuleSpec;
}

/** Same rule = same protocol, port range and peer; the description does not count (as in EC2). */
function sameRule(a: RuleSpec, b: RuleSpec): boolean {
  return (
    a.protocol === b.protocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.cidrIpv4 === b.cidrIpv4 &&
    a.cidrIpv6 === b.cidrIpv6
  );
}

function describeRule(rule: RuleSpec): string {
  const protocol = rule.protocol === "-1" ? "ALL" : rule.protocol.toUpperCase();
  return `peer: ${rule.cidrIpv4 ?? rule.cidrIpv6}, ${protocol}, from port: ${rule.fromPort ?? -1}, to port: ${rule.toPort ?? -1}, ALLOW`;
}

function targetGroup(params: QueryParams, request: Ec2Request): SimSecurityGroup {
  const { GroupId: id, GroupName: name } = params;
  if (id === undefined && name === undefined) {
    throw new AwsFault(
      "MissingParameter",
      "The request must contain the parameter groupName or groupId",
      400,
    );
  }
  if (id !== undefined && !GROUP_ID.test(id)) {
    throw new AwsFault("InvalidGroupId.Malformed", `Invalid id: "${id}" (expecting "sg-...")`, 400);
  }
  const group = request.account.securityGroups.find((g) =>
    id !== undefined ? g.groupId === id : g.groupName === name,
  );
  if (!group)
    throw new AwsFault("InvalidGroup.NotFound", `The security group '${id ?? name}' does not exist`, 400);
  return group;
}

function newRuleId(): string {
  return `sgr-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

export function authorizeSecurityGroupIngress(params: QueryParams, request: Ec2Request): string {
  const group = targetGroup(params, request);
  const specs = readRuleSpecs(params);
  specs.forEach((spec, i) => {
    const clash =
      group.ingress.some((r) => sameRule(r, spec)) || specs.slice(0, i).some((s) => sameRule(s, spec));
    if (clash)
      throw new AwsFault(
        "InvalidPermission.Duplicate",
        `the specified rule "${describeRule(spec)}" already exists`,
        400,
      );
  });
  if (group.ingress.length + specs.length > MAX_INGRESS_RULES) {
    throw new AwsFault(
      "RulesPerSecurityGroupLimitExceeded",
      "The maximum number of rules per security group has been reached.",
      400,
    );
  }
  const added = specs.map((spec) => ({ ruleId: newRuleId(), ...spec }));
  group.ingress.push(...added);
  return xmlDocument(
    "AuthorizeSecurityGroupIngressResponse",
    EC2_NAMESPACE,
    el("requestId", request.requestId),
    el("return", true),
    itemList("securityGroupRuleSet", added, (r) => securityGroupRuleXml(r, group, request.account.accountId)),
  );
}

function rulesToRevoke(
  params: QueryParams,
  group: SimSecurityGroup,
): { matched: SimRule[]; unknown: RuleSpec[] } {
  const ruleIds = indexedValues(params, "SecurityGroupRuleId");
  if (ruleIds.length > 0) {
    const missing = ruleIds.filter((id) => !group.ingress.some((r) => r.ruleId === id));
    if (missing.length > 0) {
      throw new AwsFault(
        "InvalidSecurityGroupRuleId.NotFound",
        `The security group rule ID '${missing[0]}' does not exist`,
        400,
      );
    }
    return { matched: group.ingress.filter((r) => ruleIds.includes(r.ruleId)), unknown: [] };
  }
  const specs = readRuleSpecs(params);
  const matched = group.ingress.filter((r) => specs.some((s) => sameRule(r, s)));
  return { matched, unknown: specs.filter((s) => !group.ingress.some((r) => sameRule(r, s))) };
}

export function revokeSecurityGroupIngress(params: QueryParams, request: Ec2Request): string {
  const group = targetGroup(params, request);
  const { matched, unknown } = rulesToRevoke(params, group);
  if (matched.length === 0) {
    throw new AwsFault(
      "InvalidPermission.NotFound",
      "The specified rule does not exist in this security group.",
      400,
    );
  }
  group.ingress = group.ingress.filter((r) => !matched.includes(r));
  return xmlDocument(
    "RevokeSecurityGroupIngressResponse",
    EC2_NAMESPACE,
    el("requestId", request.requestId),
    el("return", true),
    itemList("unknownIpPermissionSet", unknown, (s) => [
      el("ipProtocol", s.protocol),
      el("fromPort", s.fromPort ?? -1),
      el("toPort", s.toPort ?? -1),
      itemList("ipRanges", s.cidrIpv4 ? [s.cidrIpv4] : [], (c) => [el("cidrIp", c)]),
      itemList("ipv6Ranges", s.cidrIpv6 ? [s.cidrIpv6] : [], (c) => [el("cidrIpv6", c)]),
    ]),
    itemList("revokedSecurityGroupRuleSet", matched, (r) =>
      securityGroupRuleXml(r, group, request.account.accountId),
    ),
  );
}
