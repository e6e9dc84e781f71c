/**
 * What the harness needs from each external system, independent of transport. The live
 * implementations in this folder are real API clients; in sandbox mode the very same clients
 * are pointed at the bundled simulator. Nothing here is a mock.
 *
 * Every method throws BridleError on failure:
 *  - INVALID_IDENTIFIER  the caller's identifier failed validation before any request was made
 *  - UPSTREAM_NOT_FOUND  the upstream answered 404 (no such ticket / PR / group)
 *  - UPSTREAM_TIMEOUT    no answer within the configured timeout (after bounded retries)
 *  - UPSTREAM_ERROR      5xx, malformed or oversized answer, auth failure against the upstream
 */

export interface JiraIssue {
  key: string;
  summary: string;
  /** Plain text flattened from the ADF description. Untrusted evidence. */
  description: string;
  status: string;
  /** From the configured rollback-plan custom field; null when empty. */
  rollbackPlan: string | null;
  /** From the configured environment custom field; null when empty. */
  environment: string | null;
  labels: string[];
}

export interface JiraClient {
  getIssue(key: string): Promise<JiraIssue>;
  /** Posts a comment; `body` is Markdown-ish plain text that the client converts to ADF. */
  addComment(key: string, body: string): Promise<{ id: string }>;
}

export interface PullRequest {
  repository: string;
  number: number;
  title: string;
  body: string;
  state: string;
  headSha: string;
  baseRef: string;
  htmlUrl: string;
}

export interface PullRequestFile {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
  patch: string | null;
}

export interface GitHubClient {
  getPullRequest(repository: string, number: number): Promise<PullRequest>;
  /** All files of the PR (paginated). */
  listPullRequestFiles(repository: string, number: number): Promise<PullRequestFile[]>;
  /** Raw file content at a ref (decoded from the contents API's base64). */
  getFileContent(repository: string, path: string, ref: string): Promise<string>;
  /** Posts a conversation comment on the pull request (plain Markdown). Never retried. */
  addPullRequestComment(
    repository: string,
    number: number,
    body: string,
  ): Promise<{ id: number; htmlUrl: string }>;
}

export interface ConfluencePage {
  id: string;
  title: string;
  /** Plain text derived from the storage-format body. Untrusted evidence. */
  text: string;
  url: string;
}

export interface ConfluenceClient {
  /** Content search by CQL (paginated, capped). */
  search(cql: string, limit?: number): Promise<ConfluencePage[]>;
}

/**
 * One Block Kit block (https://docs.slack.dev/reference/block-kit/blocks), as plain JSON. The
 * client passes blocks through untouched; whoever builds them escapes what they quote.
 */
export type SlackBlock = { type: string } & Record<string, unknown>;

/** The parts of a Slack user (users.info) Bridle relies on. */
export interface SlackUserInfo {
  id: string;
  /** The workspace the user belongs to. */
  teamId: string | null;
  /** Null when Slack does not show it (no `users:read.email` scope, a bot, a hidden profile). */
  email: string | null;
  deleted: boolean;
  isBot: boolean;
}

export interface SlackClient {
  /**
   * Posts a message; `text` is the notification fallback when `blocks` are given. Neither is
   * checked for secrets here: the caller validates what it sends. Never retried.
   */
  postMessage(
    channel: string,
    text: string,
    blocks?: readonly SlackBlock[],
  ): Promise<{ channel: string; ts: string }>;
  /** Rewrites one of the bot's messages in place (chat.update); safe to retry. */
  updateMessage(
    channel: string,
    ts: string,
    text: string,
    blocks?: readonly SlackBlock[],
  ): Promise<{ channel: string; ts: string }>;
  /** A message only `user` sees, in `channel` (chat.postEphemeral). Never retried. */
  postEphemeral(channel: string, user: string, text: string): Promise<void>;
  /** Who a Slack user id is (users.info); UPSTREAM_NOT_FOUND when Slack does not know them. */
  userInfo(user: string): Promise<SlackUserInfo>;
  authTest(): Promise<{ userId: string; team: string }>;
}

export interface SecurityGroupRule {
  protocol: string;
  fromPort: number | null;
  toPort: number | null;
  cidrs: string[];
  ipv6Cidrs: string[];
}

export interface SecurityGroup {
  groupId: string;
  groupName: string;
  vpcId: string | null;
  description: string;
  ingress: SecurityGroupRule[];
  egress: SecurityGroupRule[];
}

export interface AwsAccountContext {
  account: string;
  accountId: string;
  region: string;
  /** The assumed-role ARN the call ran as (for the audit record). */
  assumedRoleArn: string;
}

export type IngressOperation = "authorize_ingress" | "revoke_ingress";

/** One IPv4 ingress rule to add to or remove from one security group. */
export interface IngressChange {
  securityGroupId: string;
  operation: IngressOperation;
  /** "-1" is every protocol (its ports are ignored, as EC2 ignores them). */
  protocol: "tcp" | "udp" | "icmp" | "-1";
  fromPort: number;
  toPort: number;
  /** IPv4 CIDR, e.g. "0.0.0.0/0". */
  cidr: string;
}

export interface IngressChangeResult {
  context: AwsAccountContext;
  securityGroupId: string;
  operation: IngressOperation;
  /** The one IAM action the session policy allowed. */
  action: "ec2:AuthorizeSecurityGroupIngress" | "ec2:RevokeSecurityGroupIngress";
  /** The ARN the session policy named. */
  resourceArn: string;
  /** The rules EC2 reports as added or revoked. */
  ruleIds: string[];
}

export interface AwsClient {
  /**
   * Assumes the configured role of `account` (session name = sessionName; credentials live only
   * for this call) and describes its security groups.
   */
  describeSecurityGroups(
    account: string,
    sessionName: string,
    groupIds?: string[],
  ): Promise<{ context: AwsAccountContext; groups: SecurityGroup[] }>;
  /**
   * Adds or removes one ingress rule under a session that may do exactly that one action on that
   * one group. Never retried; a production account is refused before any request. Throws
   * CONFLICT when the rule already exists (authorize) and UPSTREAM_NOT_FOUND when the group or
   * the rule does not (revoke).
   */
  modifySecurityGroupIngress(
    account: string,
    sessionName: string,
    change: IngressChange,
  ): Promise<IngressChangeResult>;
}

export interface Connectors {
  jira: JiraClient;
  github: GitHubClient;
  confluence: ConfluenceClient;
  slack: SlackClient;
  aws: AwsClient;
}
