/**
 * API Activity's `activity_id` (1 Create, 2 Read, 3 Update, 4 Delete, 99 Other) from a tool's
 * name. The ledger records the tool, not whether it writes, so the verb in the name decides:
 * `jira_read` → Read, `jira_add_comment` → Create, `aws_modify_security_group` → Update. The
 * first word that is a known verb wins; a name with none is Other rather than a guess.
 */
export const OCSF_ACTIVITY_OTHER = 99;

const VERBS: ReadonlyMap<string, number> = new Map([
  ...["create", "add", "post", "comment", "open", "invoke", "run"].map((w) => [w, 1] as const),
  ...["read", "get", "list", "describe", "search", "query", "fetch", "view"].map((w) => [w, 2] as const),
  ...["update", "modify", "set", "edit", "patch", "put", "approve", "merge"].map((w) => [w, 3] as const),
  ...["delete", "remove", "revoke", "close", "rollback"].map((w) => [w, 4] as const),
]);

export function activityOf(toolName: string): number {
  for (const word of toolName.toLowerCase().split(/[^a-z0-9]+/)) {
    const activity = VERBS.get(word);
    if (activity !== undefined) return activity;
  }
  return OCSF_ACTIVITY_OTHER;
}
