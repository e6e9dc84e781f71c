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

export interface SlackClient {
  postMessage(channel: string, text: string): Promise<{ channel: string; ts: string }>;
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
}

export interface Connectors {
  jira: JiraClient;
  github: GitHubClient;
  confluence: ConfluenceClient;
  slack: SlackClient;
  aws: AwsClient;
}
