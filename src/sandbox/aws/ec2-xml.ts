import type { SimRule, SimSecurityGroup } from "./model.js";
import { el, itemList, optional, type XmlChild, type XmlNode } from "./xml.js";

/**
 * EC2's XML for security groups. EC2 stores one rule per peer, but reports them folded into
 * IpPermissions: one per (protocol, port range) with its IPv4 and IPv6 ranges listed inside.
 */

export function securityGroupArn(region: string, accountId: string, groupId: string): string {
  return `arn:aws:ec2:${region}:${accountId}:security-group/${groupId}`;
}

function permissionKey(rule: SimRule): string {
  return `${rule.protocol}|${rule.fromPort ?? ""}|${rule.toPort ?? ""}`;
}

function foldPermissions(rules: SimRule[]): SimRule[][] {
  const folded = new Map<string, SimRule[]>();
  for (const rule of rules) {
    const key = permissionKey(rule);
    folded.set(key, [...(folded.get(key) ?? []), rule]);
  }
  return [...folded.values()];
}

function permissionsXml(name: string, rules: SimRule[]): XmlNode {
  return itemList(name, foldPermissions(rules), (group) => {
    const first = group[0] as SimRule;
    const v4 = group.filter((r) => r.cidrIpv4 !== undefined);
    const v6 = group.filter((r) => r.cidrIpv6 !== undefined);
    return [
      el("ipProtocol", first.protocol),
      optional("fromPort", first.fromPort),
      optional("toPort", first.toPort),
      el("groups"),
      itemList("ipRanges", v4, (r) => [el("cidrIp", r.cidrIpv4), optional("description", r.description)]),
      itemList("ipv6Ranges", v6, (r) => [el("cidrIpv6", r.cidrIpv6), optional("description", r.description)]),
      el("prefixListIds"),
    ];
  });
}

export function securityGroupXml(group: SimSecurityGroup, accountId: string, region: string): XmlChild[] {
  return [
    el("ownerId", accountId),
    el("groupId", group.groupId),
    el("groupName", group.groupName),
    el("groupDescription", group.description),
    permissionsXml("ipPermissions", group.ingress),
    permissionsXml("ipPermissionsEgress", group.egress),
    el("vpcId", group.vpcId),
    el("securityGroupArn", securityGroupArn(region, accountId, group.groupId)),
    itemList("tagSet", Object.entries(group.tags), ([key, value]) => [el("key", key), el("value", value)]),
  ];
}

/** One rule as AuthorizeSecurityGroupIngress / RevokeSecurityGroupIngress report it. */
export function securityGroupRuleXml(rule: SimRule, group: SimSecurityGroup, accountId: string): XmlChild[] {
  return [
    el("securityGroupRuleId", rule.ruleId),
    el("groupId", group.groupId),
    el("groupOwnerId", accountId),
    el("isEgress", false),
    el("ipProtocol", rule.protocol),
    el("fromPort", rule.fromPort ?? -1),
    el("toPort", rule.toPort ?? -1),
    optional("cidrIpv4", rule.cidrIpv4),
    optional("cidrIpv6", rule.cidrIpv6),
    optional("description", rule.description),
  ];
}
