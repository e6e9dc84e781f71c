import type { Configuration } from "../config/configuration.js";
import { addressOf, type TfBlock } from "../config/model.js";
import { asItems, asString, field, type HclValue } from "../hcl/value.js";
import type { LocatedString } from "../policy/statement.js";
import {
  cidrStrings,
  type FieldReader,
  type IngressRule,
  inlineIngress,
  isAclAllowIngress,
  ruleFrom,
} from "./ingress.js";

const SECURITY_GROUP_MODULE =
  /terraform-aws-modules\/(?:terraform-aws-)?security-group(?:\.git|\/aws)?(?:\/\/modules\/([\w-]+))?/;
const VPC_MODULE = /terraform-aws-modules\/(?:terraform-aws-)?vpc(?:\.git|\/aws)?(?:$|[/?])/;

/** Named rules of terraform-aws-modules/security-group that reach an administrative port. */
const NAMED_RULES: Record<string, [number, number, string]> = {
  "all-all": [-1, -1, "-1"],
  "all-tcp": [0, 65535, "tcp"],
  "all-udp": [0, 65535, "udp"],
  "ssh-tcp": [22, 22, "tcp"],
  "telnet-tcp": [23, 23, "tcp"],
  "rdp-tcp": [3389, 3389, "tcp"],
  "rdp-udp": [3389, 3389, "udp"],
  "ldap-tcp": [389, 389, "tcp"],
  "ldaps-tcp": [636, 636, "tcp"],
  "mssql-tcp": [1433, 1433, "tcp"],
  "oracle-db-tcp": [1521, 1521, "tcp"],
  "nfs-tcp": [2049, 2049, "tcp"],
  "mysql-tcp": [3306, 3306, "tcp"],
  "postgresql-tcp": [5432, 5432, "tcp"],
  "kibana-tcp": [5601, 5601, "tcp"],
  "winrm-http-tcp": [5985, 5985, "tcp"],
  "winrm-https-tcp": [5986, 5986, "tcp"],
  "redis-tcp": [6379, 6379, "tcp"],
  "cassandra-clients-tcp": [9042, 9042, "tcp"],
  "elasticsearch-rest-tcp": [9200, 9200, "tcp"],
  "elasticsearch-java-tcp": [9300, 9300, "tcp"],
  "memcached-tcp": [11211, 11211, "tcp"],
  "mongodb-27017-tcp": [27017, 27017, "tcp"],
};

/** Rules a preset submodule (`//modules/ssh`) adds by itself for its `ingress_cidr_blocks`. */
const SUBMODULE_RULES: Record<string, string[]> = {
  ssh: ["ssh-tcp"],
  rdp: ["rdp-tcp", "rdp-udp"],
  mysql: ["mysql-tcp"],
  postgresql: ["postgresql-tcp"],
  mssql: ["mssql-tcp"],
  "oracle-db": ["oracle-db-tcp"],
  redis: ["redis-tcp"],
  mongodb: ["mongodb-27017-tcp"],
  elasticsearch: ["elasticsearch-rest-tcp", "elasticsearch-java-tcp"],
  kibana: ["kibana-tcp"],
  memcached: ["memcached-tcp"],
  winrm: ["winrm-http-tcp", "winrm-https-tcp"],
};

/** Map-list inputs of the module, each entry a rule by name or by ports (`computed_*` ones included). */
const RULE_MAP_INPUTS = [
  "ingress_with_cidr_blocks",
  "ingress_with_ipv6_cidr_blocks",
  "computed_ingress_with_cidr_blocks",
  "computed_ingress_with_ipv6_cidr_blocks",
];

/**
 * Inbound rules of the security-group module. `ingress_cidr_blocks` alone opens nothing: it is the
 * source list for `ingress_rules` (and the preset submodules' own rules) and the fallback for
 * `ingress_with_cidr_blocks` entries without their own CIDRs. `computed_*` inputs are read whatever
 * their `number_of_computed_*` count says: a review judges what the author asked for.
 */
export function securityGroupModuleRules(config: Configuration, module: TfBlock): IngressRule[] {
  const match = SECURITY_GROUP_MODULE.exec(asString(config.value(module, "source")) ?? "");
  if (!match) return [];
  const read: FieldReader = (name) => config.value(module, name);
  const defaults = [
    ...cidrStrings(read("ingress_cidr_blocks")),
    ...cidrStrings(read("ingress_ipv6_cidr_blocks")),
  ];
  const named = [
    ...(SUBMODULE_RULES[match[1] ?? ""] ?? []),
    ...strings(read("ingress_rules")),
    ...strings(read("computed_ingress_rules")),
  ];
  const rules = named.flatMap((name) => namedRule(module, module.line, name, defaults));
  for (const key of RULE_MAP_INPUTS) {
    for (const item of asItems(read(key))) {
      if (item.kind === "object") rules.push(...ruleMapEntry(module, item, defaults));
    }
  }
  return [...rules, ...inlineRulesInCall(config, module)];
}

function ruleMapEntry(module: TfBlock, item: HclValue, defaults: LocatedString[]): IngressRule[] {
  const own = [...cidrStrings(field(item, "cidr_blocks")), ...cidrStrings(field(item, "ipv6_cidr_blocks"))];
  const sources = own.length > 0 ? own : defaults;
  const ruleName = asString(field(item, "rule"));
  if (ruleName !== undefined) return namedRule(module, item.line, ruleName, sources);
  return [{ ...ruleFrom(module, item.line, (n) => field(item, n), "security_group"), sources }];
}

/**
 * `ingress { ... }` blocks (or an `ingress = [...]` attribute) written inside the module call, as
 * on an `aws_security_group`. The module has no such input and Terraform rejects nested blocks in
 * a module call, so nothing is applied as written; but the author plainly meant an inline rule,
 * and a review judges that intent. The note puts the caveat in the evidence.
 */
function inlineRulesInCall(config: Configuration, module: TfBlock): IngressRule[] {
  const name = module.labels[0] ?? "";
  return inlineIngress(config, module).map(({ form, line, read }) => ({
    ...ruleFrom(module, line, read, "security_group"),
    note: `ingress ${form} inside module call "${name}", not a module input`,
  }));
}

function namedRule(module: TfBlock, line: number, name: string, sources: LocatedString[]): IngressRule[] {
  const spec = NAMED_RULES[name];
  if (!spec) return [];
  const [from, to, protocol] = spec;
  const address = addressOf(module);
  return [
    {
      address,
      file: module.file,
      line,
      layer: "security_group",
      defaultAcl: false,
      protocol,
      from,
      to,
      sources,
    },
  ];
}

/** Network ACL rule lists of the VPC module (`default_network_acl_ingress`, `*_inbound_acl_rules`). */
export function vpcModuleAclRules(config: Configuration, module: TfBlock): IngressRule[] {
  if (!VPC_MODULE.test(asString(config.value(module, "source")) ?? "")) return [];
  const rules: IngressRule[] = [];
  for (const [name] of module.attributes) {
    if (name !== "default_network_acl_ingress" && !name.endsWith("_inbound_acl_rules")) continue;
    for (const item of asItems(config.value(module, name))) {
      const read: FieldReader = (key) => field(item, key);
      if (item.kind !== "object" || !isAclAllowIngress(read)) continue;
      const rule = ruleFrom(module, item.line, read, "network_acl");
      rules.push({ ...rule, defaultAcl: name === "default_network_acl_ingress" });
    }
  }
  return rules;
}

function strings(value: HclValue | undefined): string[] {
  return asItems(value).flatMap((v) => (v.kind === "string" ? [v.value] : []));
}
