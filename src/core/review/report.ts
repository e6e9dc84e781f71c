import type { Assessment } from "./assess.js";

export interface ReviewSubject {
  ticket: string;
  repository: string;
  pull_request: string;
}

const bullets = (items: readonly string[], empty: string) =>
  items.length ? items.map((item) => `- ${item}`).join("\n") : `- ${empty}`;

/**
 * The Jira comment: the reference's layout, plus where each finding was seen. Built only from
 * the assessment (rule titles, file paths, line numbers), never from retrieved prose.
 */
export function jiraComment(subject: ReviewSubject, a: Assessment): string {
  const where = a.finding_details.map(
    (f) => `${f.rule_id} at ${f.file}${f.line ? `:${f.line}` : ""} (${f.resource}; standard: ${f.standard})`,
  );
  return `## AI Security Review Summary
Change: ${subject.ticket}
Linked PR: ${subject.repository}/pull/${subject.pull_request}
Risk rating: ${a.risk_rating}
### Findings
${bullets(a.findings, "No findings.")}
### Evidence
${bullets(where, "None.")}
### Required approvals
${bullets(a.required_approvals, "None beyond the usual peer review.")}
### Recommended remediation
${bullets(a.recommended_remediation, "None.")}
This review is advisory and requires human validation before deployment.
`;
}

/** The Slack summary: one short line a channel can scan. */
export function slackSummary(subject: ReviewSubject, a: Assessment): string {
  const pr = `${subject.repository}#${subject.pull_request}`;
  if (a.finding_details.length === 0) {
    return `${subject.ticket} (${pr}) reviewed: risk ${a.risk_rating}, no findings. Advisory review; a human owns the deployment decision.`;
  }
  const rules = [...new Set(a.finding_details.map((f) => f.rule_id))].join(", ");
  const approvals = a.required_approvals.length ? ` Required: ${a.required_approvals.join("; ")}.` : "";
  return `${subject.ticket} (${pr}) risk ${a.risk_rating}: ${a.finding_details.length} finding(s) [${rules}].${approvals} Details on the Jira ticket.`;
}
