import type { SeedIssue, SeedPage } from "./seed/atlassian.js";
import { ENVIRONMENT_FIELD, ROLLBACK_PLAN_FIELD, seedIssues, seedPages } from "./seed/atlassian.js";

/**
 * Jira Cloud REST v3 (mounted at /jira) and Confluence REST (mounted at /confluence/wiki)
 * simulators sharing one Atlassian site: the same Basic credentials (email + API token) work
 * for both, as on a real *.atlassian.net site. This module holds the shared, inspectable state;
 * the routes live in ./atlassian/.
 */
export { registerConfluence } from "./atlassian/confluence.js";
export { registerJira } from "./atlassian/jira.js";

export interface JiraIssueRecord {
  id: string;
  key: string;
  /** The `fields` object as Jira returns it (custom fields under their customfield_ ids). */
  fields: Record<string, unknown>;
}

export interface JiraCommentRecord {
  id: string;
  /** The ADF document exactly as posted. */
  body: unknown;
  authorAccountId: string;
  created: string;
}

export interface ConfluencePageRecord extends SeedPage {
  status: "current" | "archived";
}

export interface AtlassianState {
  issues: Record<string, JiraIssueRecord>;
  comments: Record<string, JiraCommentRecord[]>;
  pages: ConfluencePageRecord[];
  /** Every request that reached either simulator, for tests (e.g. "nothing reached Jira"). */
  requests: { service: "jira" | "confluence"; method: string; url: string }[];
  nextCommentId: number;
}

const ENVIRONMENT_OPTION_IDS = { development: "10100", staging: "10101", production: "10102" } as const;

export function seedAtlassian(): AtlassianState {
  const issues: Record<string, JiraIssueRecord> = {};
  for (const issue of seedIssues())
    issues[issue.key] = { id: issue.id, key: issue.key, fields: issueFields(issue) };
  return {
    issues,
    comments: {},
    pages: seedPages().map((page) => ({ ...page, status: "current" })),
    requests: [],
    nextCommentId: 10_000,
  };
}

function issueFields(issue: SeedIssue): Record<string, unknown> {
  return {
    summary: issue.summary,
    description: issue.description,
    status: { name: issue.status, id: issue.status === "Open" ? "1" : "10001" },
    labels: issue.labels,
    issuetype: { id: "10005", name: "Change", subtask: false, hierarchyLevel: 0 },
    project: { id: "10010", key: "CHG", name: "Change Management", projectTypeKey: "service_desk" },
    priority: { id: { High: "2", Medium: "3", Low: "4" }[issue.priority], name: issue.priority },
    reporter: issue.reporter,
    assignee: null,
    created: issue.created,
    updated: issue.created,
    [ROLLBACK_PLAN_FIELD]: issue.rollbackPlan,
    [ENVIRONMENT_FIELD]:
      issue.environment === null
        ? null
        : { value: issue.environment, id: ENVIRONMENT_OPTION_IDS[issue.environment] },
  };
}
