import { z } from "zod";
import { BridleError } from "../errors.js";
import { isProduction } from "../policy/gateway.js";

/**
 * What an ingress change to one security group does, computed without I/O: the diff an approver
 * sees, the call that undoes it, the drift that makes a rollback unsafe, and the resources it
 * touches. The state is a snapshot of the one group (DescribeSecurityGroups, one rule per peer,
 * as EC2 stores rules), plain JSON so it can be stored with the approval and compared later.
 */

export type IngressOperation = "authorize_ingress" | "revoke_ingress";
export type IngressProtocol = "tcp" | "udp" | "icmp" | "-1";

/** The arguments of `aws_modify_security_group`. */
export interface SecurityGroupChangeArgs {
  account: string;
  security_group_id: string;
  operation: IngressOperation;
  protocol: IngressProtocol;
  from_port: number;
  to_port: number;
  cidr: string;
  change_ticket?: string | undefined;
  rollback_plan?: string | undefined;
}

/** One ingress rule with one peer. Ports are null for "-1" (every protocol), as EC2 reports them. */
export interface IngressRule {
  protocol: string;
  from_port: number | null;
  to_port: number | null;
  cidr: string;
}

export const SNAPSHOT_KIND = "aws.security_group";

export interface SecurityGroupSnapshot {
  kind: typeof SNAPSHOT_KIND;
  account: string;
  group_id: string;
  group_name: string;
  vpc_id: string | null;
  /** In canonical order (protocol, ports, peer), so equal states are equal JSON. */
  ingress: IngressRule[];
}

export interface SecurityGroupDiff {
  group: { account: string; group_id: string; group_name: string };
  operation: IngressOperation;
  rule: IngressRule;
  before: IngressRule[];
  after: IngressRule[];
  added: IngressRule[];
  removed: IngressRule[];
  /** True when the call would change nothing (EC2 would refuse it as a duplicate / unknown rule). */
  no_op: boolean;
  summary: string;
}

/** A group as the AWS connector describes it (structurally; core imports no connector). */
export interface DescribedSecurityGroup {
  groupId: string;
  groupName: string;
  vpcId: string | null;
  ingress: {
    protocol: string;
    fromPort: number | null;
    toPort: number | null;
    cidrs: string[];
    ipv6Cidrs: string[];
  }[];
}

const RuleSchema = z
  .object({
    protocol: z.string(),
    from_port: z.number().int().nullable(),
    to_port: z.number().int().nullable(),
    cidr: z.string(),
  })
  .strict();

const SnapshotSchema = z
  .object({
    kind: z.literal(SNAPSHOT_KIND),
    account: z.string(),
    group_id: z.string(),
    group_name: z.string(),
    vpc_id: z.string().nullable(),
    ingress: z.array(RuleSchema),
  })
  .strict();

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4_CIDR = new RegExp(`^(${OCTET})\\.(${OCTET})\\.(${OCTET})\\.(${OCTET})/(3[0-2]|[12]?\\d)$`);

/**
 * An IPv4 CIDR block in canonical form: no leading zeros, no host bits set ("10.0.0.0/8", not
 * "10.1.2.3/8"), so the rule named is exactly the rule EC2 stores and a diff compares by text.
 */
export function isCanonicalIpv4Cidr(cidr: string): boolean {
  const match = IPV4_CIDR.exec(cidr);
  if (!match) return false;
  const address = match.slice(1, 5).reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const hostBits = 32 - Number(match[5]);
  return address % 2 ** hostBits === 0;
}

const PROTOCOL_NAMES: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp", all: "-1" };

function normalizeRule(protocol: string, from: number | null, to: number | null, cidr: string): IngressRule {
  const name = PROTOCOL_NAMES[protocol.toLowerCase()] ?? protocol.toLowerCase();
  return name === "-1"
    ? { protocol: name, from_port: null, to_port: null, cidr }
    : { protocol: name, from_port: from, to_port: to, cidr };
}

function ruleKey(rule: IngressRule): string {
  return `${rule.protocol}|${rule.from_port ?? ""}|${rule.to_port ?? ""}|${rule.cidr}`;
}

/** Code-point order: the same on every machine, whatever its locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function canonical(rules: IngressRule[]): IngressRule[] {
  const unique = new Map(rules.map((r) => [ruleKey(r), r]));
  return [...unique.values()].sort(
    (a, b) =>
      compareText(a.protocol, b.protocol) ||
      (a.from_port ?? -2) - (b.from_port ?? -2) ||
      (a.to_port ?? -2) - (b.to_port ?? -2) ||
      compareText(a.cidr, b.cidr),
  );
}

/** "tcp 22 from 0.0.0.0/0", "udp 1000-2000 from 10.0.0.0/8", "all traffic from ::/0". */
export function describeRule(rule: IngressRule): string {
  if (rule.protocol === "-1") return `all traffic from ${rule.cidr}`;
  const ports = rule.from_port === rule.to_port ? `${rule.from_port}` : `${rule.from_port}-${rule.to_port}`;
  return `${rule.protocol} ${ports} from ${rule.cidr}`;
}

/** The rule the call names. */
export function ruleOf(args: SecurityGroupChangeArgs): IngressRule {
  return normalizeRule(args.protocol, args.from_port, args.to_port, args.cidr);
}

/** Flattens a described group into a snapshot: one rule per IPv4 or IPv6 peer, canonical order. */
export function snapshotOf(account: string, group: DescribedSecurityGroup): SecurityGroupSnapshot {
  const rules = group.ingress.flatMap((p) =>
    [...p.cidrs, ...p.ipv6Cidrs].map((cidr) => normalizeRule(p.protocol, p.fromPort, p.toPort, cidr)),
  );
  return {
    kind: SNAPSHOT_KIND,
    account,
    group_id: group.groupId,
    group_name: group.groupName,
    vpc_id: group.vpcId,
    ingress: canonical(rules),
  };
}

function parseSnapshot(value: unknown): SecurityGroupSnapshot | null {
  const parsed = SnapshotSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** What the call would change, against a snapshot of the same group. */
export function diff(snapshot: unknown, args: SecurityGroupChangeArgs): SecurityGroupDiff {
  const state = parseSnapshot(snapshot);
  if (!state) throw new BridleError("INTERNAL", "not a security-group snapshot");
  if (state.group_id !== args.security_group_id || state.account !== args.account) {
    throw new BridleError("INTERNAL", "the snapshot is of another security group", {
      snapshot: `${state.account}:${state.group_id}`,
      args: `${args.account}:${args.security_group_id}`,
    });
  }
  const rule = ruleOf(args);
  const before = canonical(state.ingress);
  const present = before.some((r) => ruleKey(r) === ruleKey(rule));
  const authorize = args.operation === "authorize_ingress";
  const added = authorize && !present ? [rule] : [];
  const removed = !authorize && present ? [rule] : [];
  const after = authorize ? canonical([...before, rule]) : before.filter((r) => ruleKey(r) !== ruleKey(rule));
  const group = { account: state.account, group_id: state.group_id, group_name: state.group_name };
  const where = `${state.group_id} (${state.group_name}) in ${state.account}`;
  const noOp = added.length === 0 && removed.length === 0;
  const summary = noOp
    ? authorize
      ? `no change: ${describeRule(rule)} is already allowed on ${where}`
      : `no change: ${describeRule(rule)} is not allowed on ${where}`
    : `${authorize ? "allow" : "revoke"} ${describeRule(rule)} on ${where}`;
  return { group, operation: args.operation, rule, before, after, added, removed, no_op: noOp, summary };
}

/** The call that undoes this one: the same rule, the other operation. */
export function inverse<A extends SecurityGroupChangeArgs>(args: A): A {
  return {
    ...args,
    operation: args.operation === "authorize_ingress" ? "revoke_ingress" : "authorize_ingress",
  };
}

/**
 * Differences between the group right after the change and now, one sentence each; empty when
 * the ingress rules are the same. Anything that is not a snapshot of the same group is drift.
 */
export function drift(after: unknown, now: unknown): string[] {
  const then = parseSnapshot(after);
  const current = parseSnapshot(now);
  if (!then) return ["the state recorded after the change is not a security-group snapshot"];
  if (!current) return ["the current state is not a security-group snapshot"];
  if (then.account !== current.account || then.group_id !== current.group_id) {
    return [
      `the snapshots are of different groups: ${then.account}:${then.group_id} and ${current.account}:${current.group_id}`,
    ];
  }
  const thenKeys = new Set(then.ingress.map(ruleKey));
  const nowKeys = new Set(current.ingress.map(ruleKey));
  return [
    ...canonical(then.ingress)
      .filter((r) => !nowKeys.has(ruleKey(r)))
      .map((r) => `ingress ${describeRule(r)} was removed from ${then.group_id} since the change`),
    ...canonical(current.ingress)
      .filter((r) => !thenKeys.has(ruleKey(r)))
      .map((r) => `ingress ${describeRule(r)} was added to ${then.group_id} since the change`),
  ];
}

/** The one resource the call touches, as blast radius counts it. */
export function resources(args: SecurityGroupChangeArgs): string[] {
  return [`aws:${args.account}:${args.security_group_id}`];
}

export function production(args: SecurityGroupChangeArgs): boolean {
  return isProduction(args.account);
}
