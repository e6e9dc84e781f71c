import type { Configuration } from "../config/configuration.js";
import { isWorldCidr } from "../net/cidr.js";
import { type IngressRule, resourceIngressRules } from "../net/ingress.js";
import { securityGroupModuleRules, vpcModuleAclRules } from "../net/modules.js";
import { adminPortsIn, describePorts, type PortScope, portScope } from "../net/ports.js";
import { ADMIN_PORT_OPEN } from "../rules.js";
import { makeHit, type RuleHit } from "./hit.js";

export function ingressRules(config: Configuration): IngressRule[] {
  const rules: IngressRule[] = [];
  for (const block of config.blocks("resource")) rules.push(...resourceIngressRules(config, block));
  for (const block of config.blocks("module")) {
    rules.push(...securityGroupModuleRules(config, block), ...vpcModuleAclRules(config, block));
  }
  return rules;
}

/** Inbound rules open to the whole internet that reach an administrative port. */
export function checkAdminPorts(config: Configuration): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const rule of ingressRules(config)) {
    const world = rule.sources.find((s) => isWorldCidr(s.value));
    if (!world) continue;
    const scope = portScope(rule.protocol, rule.from, rule.to);
    if (scope === undefined || scope === "none") continue;
    if (restatesDefaultAclEntry(rule, scope)) continue;
    const ports = adminPortsIn(scope);
    if (ports.length === 0) continue;
    const aspect = rule.layer === "network_acl" ? "net.network_acl" : "net.security_group";
    const opened = `${world.value} on ${describePorts(scope, ports)}`;
    hits.push(
      makeHit(config, ADMIN_PORT_OPEN, {
        resource: rule.address,
        file: rule.file,
        line: world.line,
        aspects: [aspect],
        detail: rule.note ? `${opened}; ${rule.note}` : opened,
      }),
    );
  }
  return hits;
}

/**
 * An all-traffic (protocol -1) allow entry from the world on a VPC's *default* network ACL is the
 * one entry left unreported, for a Terraform/AWS reason rather than a risk judgement: AWS creates
 * exactly that entry (rule 100, and rule 101 for ::/0) on every default ACL, and the VPC module's
 * `default_network_acl_ingress` defaults to the same list. Declaring it leaves the applied rule set
 * unchanged, so the world-open default ACL is no more open with the declaration than without it,
 * and a VPC that omits it would have to be flagged alike. (In VPC module versions before 5.0 the
 * input is not even applied unless `manage_default_network_acl = true`; that is not relied on
 * here, as it would equally hide deliberate entries.) Anything else on a default ACL is an edit
 * of that default and is judged like any entry: a TCP/UDP `0`–`0` entry (ambiguous, read as all
 * ports) or a range naming an admin port is reported.
 */
function restatesDefaultAclEntry(rule: IngressRule, scope: PortScope): boolean {
  return rule.defaultAcl && scope !== "none" && scope.all && scope.zeroRange !== true;
}
