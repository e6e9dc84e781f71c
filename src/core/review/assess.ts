import type { Finding, Severity } from "./finding.js";

export interface RuleInfo {
  id: string;
  title: string;
  severity: Severity;
  standard: string;
  remediation: string;
}

export type RiskRating = "Low" | "Medium" | "High" | "Critical";

export interface Assessment {
  risk_rating: RiskRating;
  /** One line per rule that fired, in catalogue order (the reference's `findings`). */
  findings: string[];
  required_approvals: string[];
  recommended_remediation: string[];
  finding_details: Finding[];
}

const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };
const RATING: Record<number, RiskRating> = { 0: "Low", 1: "Low", 2: "Medium", 3: "High", 4: "Critical" };

export const APPROVALS = {
  cloudSecurity: "Cloud Security approval",
  platformOwner: "Platform owner approval",
  changeManager: "Change manager approval before production promotion",
} as const;

/**
 * Turns findings into the review's verdict. Everything follows from the findings: a change
 * with none is Low and needs no extra approval; the rating is the worst severity found.
 */
export function assess(findings: readonly Finding[], catalogue: readonly RuleInfo[]): Assessment {
  const order = new Map(catalogue.map((rule, i) => [rule.id, i]));
  const rank = (f: Finding) => order.get(f.rule_id) ?? catalogue.length;
  const details = [...findings].sort(
    (a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file) || a.line - b.line,
  );
  const fired = catalogue.filter((rule) => details.some((f) => f.rule_id === rule.id));
  const worst = Math.max(0, ...details.map((f) => SEVERITY_RANK[f.severity]));
  const risk = RATING[worst] ?? "Critical";
  return {
    risk_rating: risk,
    findings: fired.map((r) => r.title),
    required_approvals: requiredApprovals(details, worst),
    recommended_remediation: fired.map((r) => r.remediation),
    finding_details: details,
  };
}

function requiredApprovals(findings: readonly Finding[], worst: number): string[] {
  const approvals: string[] = [];
  if (worst >= SEVERITY_RANK.high) approvals.push(APPROVALS.cloudSecurity);
  if (findings.some((f) => !f.file.startsWith("jira:"))) approvals.push(APPROVALS.platformOwner);
  if (worst >= SEVERITY_RANK.medium) approvals.push(APPROVALS.changeManager);
  return approvals;
}
