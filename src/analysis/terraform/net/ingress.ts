import type { Configuration } from "../config/configuration.js";
import { addressOf, type TfBlock } from "../config/model.js";
import { asBool, asItems, asNumber, asString, field, type HclValue } from "../hcl/value.js";
import type { LocatedString } from "../policy/statement.js";

/** One inbound allow rule, whichever resource or module declared it. */
export interface IngressRule {
  address: string;
  file: string;
  line: number;
  /** Security groups are deny-by-default and stateful; network ACLs are subnet-wide filters. */
  layer: "security_group" | "network_acl";
  /** An entry of a VPC's default network ACL, whose AWS-created default is "allow all". */
  defaultAcl: boolean;
  protocol: string | undefined;
  from: number | undefined;
  to: number | undefined;
  sources: LocatedString[];
  /** How the rule was read when that is not plain from its line (e.g. from inside a module call). */
  note?: string;
}

/** Reads a named field of a rule, from a block or from an object in a list. */
export type FieldReader = (name: string) => HclValue | undefined;

/** Inbound rules declared by one resource (security groups, their rules, network ACLs). */
export function resourceIngressRules(config: Configuration, block: TfBlock): IngressRule[] {
  const type = block.labels[0];
  const own: FieldReader = (name) => config.value(block, name);
  switch (type) {
    case "aws_security_group":
    case "aws_default_security_group":
      return nestedRules(config, block, "security_group");
    case "aws_network_acl":
      return nestedRules(config, block, "network_acl");
    case "aws_default_network_acl":
      return nestedRules(config, block, "network_acl").map((r) => ({ ...r, defaultAcl: true }));
    case "aws_security_group_rule":
      return asString(own("type")) === "ingress" ? [ruleFrom(block, block.line, own, "security_group")] : [];
    case "aws_vpc_security_group_ingress_rule":
      return [vpcIngressRule(block, own)];
    case "aws_network_acl_rule":
      return isAclAllowIngress(own) ? [ruleFrom(block, block.line, own, "network_acl")] : [];
    default:
      return [];
  }
}

/** One inline ingress entry: an `ingress { ... }` block or an object of `ingress = [{ ... }]`. */
export interface InlineIngress {
  form: "block" | "attribute";
  line: number;
  read: FieldReader;
}

/** The inline ingress entries of a block, in both forms. */
export function inlineIngress(config: Configuration, block: TfBlock): InlineIngress[] {
  const entries: InlineIngress[] = block.blocks
    .filter((b) => b.type === "ingress")
    .map((b) => ({ form: "block", line: b.line, read: (name: string) => config.value(b, name) }));
  for (const item of asItems(config.value(block, "ingress"))) {
    if (item.kind === "object") {
      entries.push({ form: "attribute", line: item.line, read: (name: string) => field(item, name) });
    }
  }
  return entries;
}

function nestedRules(config: Configuration, block: TfBlock, layer: IngressRule["layer"]): IngressRule[] {
  return inlineIngress(config, block)
    .filter(({ read }) => layer === "security_group" || isAclAllowIngress(read))
    .map(({ line, read }) => ruleFrom(block, line, read, layer));
}

/** NACL entries: `action` inline, `rule_action` on the standalone rule; egress rules are not inbound. */
export function isAclAllowIngress(read: FieldReader): boolean {
  const action = asString(read("rule_action")) ?? asString(read("action"));
  return action?.toLowerCase() === "allow" && asBool(read("egress")) !== true;
}

export function ruleFrom(
  block: TfBlock,
  line: number,
  read: FieldReader,
  layer: IngressRule["layer"],
): IngressRule {
  const sources = ["cidr_blocks", "ipv6_cidr_blocks", "cidr_block", "ipv6_cidr_block"].flatMap((name) =>
    cidrStrings(read(name)),
  );
  return {
    address: addressOf(block),
    file: block.file,
    line,
    layer,
    defaultAcl: false,
    protocol: asString(read("protocol")),
    from: asNumber(read("from_port")),
    to: asNumber(read("to_port")),
    sources,
  };
}

function vpcIngressRule(block: TfBlock, read: FieldReader): IngressRule {
  return {
    address: addressOf(block),
    file: block.file,
    line: block.line,
    layer: "security_group",
    defaultAcl: false,
    protocol: asString(read("ip_protocol")),
    from: asNumber(read("from_port")),
    to: asNumber(read("to_port")),
    sources: [...cidrStrings(read("cidr_ipv4")), ...cidrStrings(read("cidr_ipv6"))],
  };
}

/** CIDRs from a list, a single string, or a comma-separated string (the security-group module's form). */
export function cidrStrings(value: HclValue | undefined): LocatedString[] {
  return asItems(value).flatMap((item) =>
    item.kind === "string"
      ? item.value
          .split(",")
          .map((c) => c.trim())
          .filter((c) => c !== "")
          .map((c) => ({ value: c, line: item.line }))
      : [],
  );
}
