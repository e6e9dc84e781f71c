/**
 * The simulated AWS organisation: the gateway's own IAM user (holder of the long-term key), the
 * member accounts with their roles and security groups, and every temporary session STS issued.
 * All of it is plain mutable data so tests can inspect it and change it (expire a session, add a
 * rule) between calls.
 */

/** One security-group rule as EC2 stores it: a single peer (one CIDR) per rule. */
export interface SimRule {
  ruleId: string;
  /** "tcp" | "udp" | "icmp" | "icmpv6" | "-1" (all). */
  protocol: string;
  fromPort: number | null;
  toPort: number | null;
  cidrIpv4?: string;
  cidrIpv6?: string;
  description?: string;
}

export interface SimSecurityGroup {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ingress: SimRule[];
  egress: SimRule[];
  tags: Record<string, string>;
}

export interface SimRole {
  name: string;
  /** AROA… unique id; AWS prefixes assumed-role user ids with it. */
  roleId: string;
  /** IAM actions the role's identity policy allows, with `*` wildcards ("ec2:Describe*"). */
  allowedActions: string[];
  /** Whether the role's trust policy lets the gateway user assume it. */
  trustsGateway: boolean;
  maxSessionDurationSeconds: number;
}

export interface SimAccount {
  name: string;
  accountId: string;
  roles: SimRole[];
  securityGroups: SimSecurityGroup[];
}

/** The IAM user whose long-term key Bridle holds. It may call STS only. */
export interface GatewayPrincipal {
  accountId: string;
  userName: string;
  userId: string;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, unknown>;
}

export interface SessionPolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

export interface IssuedSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  account: string;
  accountId: string;
  roleName: string;
  roleArn: string;
  assumedRoleArn: string;
  assumedRoleId: string;
  sessionName: string;
  /** The session policy exactly as sent (null when none), and its parsed form. */
  policy: string | null;
  parsedPolicy: SessionPolicyDocument | null;
  durationSeconds: number;
  issuedAt: Date;
  expiresAt: Date;
}

/** One request that reached the endpoint (whatever became of it), for tests and debugging. */
export interface AwsCallRecord {
  /** From the SigV4 credential scope; null when the request carried no usable signature. */
  service: "sts" | "ec2" | null;
  action: string | null;
  accessKeyId: string | null;
  /** The AWS error code when the call failed, null on success. */
  errorCode: string | null;
}

/** A test-injected failure of one action (see faults.ts): the next `times` calls answer `code`. */
export interface AwsActionFault {
  action: string;
  code: string;
  status: number;
  times: number;
}

export interface AwsState {
  gateway: GatewayPrincipal;
  accounts: SimAccount[];
  sessions: IssuedSession[];
  calls: AwsCallRecord[];
  actionFaults: AwsActionFault[];
}

export function roleArn(account: SimAccount, role: SimRole): string {
  return `arn:aws:iam::${account.accountId}:role/${role.name}`;
}

export function gatewayUserArn(gateway: GatewayPrincipal): string {
  return `arn:aws:iam::${gateway.accountId}:user/${gateway.userName}`;
}
