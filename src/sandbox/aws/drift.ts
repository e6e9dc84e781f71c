import { randomBytes } from "node:crypto";
import type { AwsState, SimRule, SimSecurityGroup } from "./model.js";

/**
 * Out-of-band changes to a simulated security group: what someone editing the group in the
 * console would do behind Bridle's back. For tests only (drift before a rollback, a rule that
 * appears between a dry run and the write); nothing in the simulator's API reaches it.
 */

export type SimRuleSpec = Omit<SimRule, "ruleId">;

export interface IngressDrift {
  add?: SimRuleSpec[];
  /** Rules removed by protocol, ports and peer (the description does not count, as in EC2). */
  remove?: SimRuleSpec[];
}

function samePeerAndPorts(a: SimRuleSpec, b: SimRuleSpec): boolean {
  return (
    a.protocol === b.protocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.cidrIpv4 === b.cidrIpv4 &&
    a.cidrIpv6 === b.cidrIpv6
  );
}

/** Applies `drift` to one group's ingress in place and returns the group; throws on an unknown target. */
export function driftIngress(
  state: AwsState,
  accountName: string,
  groupId: string,
  drift: IngressDrift,
): SimSecurityGroup {
  const account = state.accounts.find((a) => a.name === accountName);
  const group = account?.securityGroups.find((g) => g.groupId === groupId);
  if (!group) throw new Error(`sandbox: no security group ${groupId} in account ${accountName}`);
  const removed = drift.remove ?? [];
  group.ingress = group.ingress.filter((rule) => !removed.some((spec) => samePeerAndPorts(rule, spec)));
  for (const spec of drift.add ?? []) {
    if (group.ingress.some((rule) => samePeerAndPorts(rule, spec))) continue;
    group.ingress.push({ ruleId: `sgr-${randomBytes(9).toString("hex").slice(0, 17)}`, ...spec });
  }
  return group;
}
