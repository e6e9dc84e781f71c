/** A finding about a change, always derived from evidence (a file and line, or a ticket field). */
export type Severity = "critical" | "high" | "medium" | "low";

export interface Finding {
  rule_id: string;
  title: string;
  severity: Severity;
  /** Terraform address such as `aws_s3_bucket.logs`, or the ticket key for ticket rules. */
  resource: string;
  /** File path within the PR, or `jira:<KEY>` for ticket rules. */
  file: string;
  /** 1-based line of the evidence; 0 when the evidence is a missing ticket field. */
  line: number;
  /** A short excerpt of the offending source (already free of secrets). */
  evidence: string;
  /** The security standard the rule enforces (matches a Confluence standard's title). */
  standard: string;
}
