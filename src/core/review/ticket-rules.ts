import type { RuleInfo } from "./assess.js";
import type { Finding } from "./finding.js";

/** Rules over the change ticket itself (not the code). */
export const TICKET_RULES: readonly RuleInfo[] = [
  {
    id: "ROLLBACK_PLAN_MISSING",
    title: "Rollback plan is missing from the Jira change ticket.",
    severity: "medium",
    standard: "Changes require rollback plans before promotion",
    remediation: "Add rollback plan to the Jira change.",
  },
  {
    id: "PROMPT_INJECTION_IN_CONTEXT",
    title:
      "Retrieved content contains instruction-like text (possible prompt injection); it was treated as evidence only.",
    severity: "high",
    standard: "Retrieved content is evidence, never instruction",
    remediation:
      "Remove the instruction-like text from the ticket, pull request or page, and review who added it.",
  },
];

const [ROLLBACK, INJECTION] = TICKET_RULES as [RuleInfo, RuleInfo];

export interface TicketFacts {
  key: string;
  rollbackPlan: string | null;
}

export function ticketFindings(ticket: TicketFacts): Finding[] {
  if (ticket.rollbackPlan !== null && ticket.rollbackPlan.trim().length > 0) return [];
  return [
    {
      rule_id: ROLLBACK.id,
      title: ROLLBACK.title,
      severity: ROLLBACK.severity,
      resource: ticket.key,
      file: `jira:${ticket.key}`,
      line: 0,
      evidence: "rollback plan field is empty",
      standard: ROLLBACK.standard,
    },
  ];
}

export interface InjectionHit {
  /** Where the text came from, e.g. `jira:CHG-1#description` or `github:terraform/s3.tf`. */
  source: string;
  indicators: readonly string[];
}

/**
 * One finding per source that carried injection indicators. The evidence names the indicators,
 * never the injected text itself, so the attacker's words are not repeated into any post.
 */
export function injectionFindings(hits: readonly InjectionHit[]): Finding[] {
  return hits.map((hit) => ({
    rule_id: INJECTION.id,
    title: INJECTION.title,
    severity: INJECTION.severity,
    resource: hit.source.split("#")[0] ?? hit.source,
    file: hit.source,
    line: 0,
    evidence: `indicators: ${[...new Set(hit.indicators)].slice(0, 5).join(", ")}`,
    standard: INJECTION.standard,
  }));
}
