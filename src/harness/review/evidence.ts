import type { ConfluencePage, JiraIssue, PullRequest } from "../../connectors/types.js";
import type { InjectionHit } from "../../core/review/ticket-rules.js";
import { scanForInjection } from "../../core/validation/injection.js";

/**
 * Every piece of retrieved text is untrusted evidence. Nothing here feeds a prompt or a decision;
 * it is scanned so that instruction-like content is flagged and recorded.
 */
export function scanRetrievedContext(
  ticket: JiraIssue,
  pr: PullRequest,
  sources: readonly { path: string; content: string }[],
  standards: readonly ConfluencePage[],
): InjectionHit[] {
  const texts: [string, string][] = [
    [`jira:${ticket.key}#summary`, ticket.summary],
    [`jira:${ticket.key}#description`, ticket.description],
    [`jira:${ticket.key}#rollback_plan`, ticket.rollbackPlan ?? ""],
    [`github:${pr.repository}#${pr.number}#title`, pr.title],
    [`github:${pr.repository}#${pr.number}#body`, pr.body],
    ...sources.map((s): [string, string] => [`github:${s.path}`, s.content]),
    ...standards.map((p): [string, string] => [`confluence:${p.id}`, p.text]),
  ];
  const hits: InjectionHit[] = [];
  for (const [source, text] of texts) {
    const matches = scanForInjection(text);
    if (matches.length > 0) hits.push({ source, indicators: matches.map((m) => m.indicator) });
  }
  return hits;
}
