import type { Finding } from "../../../core/review/finding.js";
import type { Configuration } from "../config/configuration.js";
import type { TerraformRule } from "../rules.js";

/**
 * A finding plus the aspects it stands for (for example `s3.pab.ignore_public_acls` or
 * `iam.full_admin`). Aspects let a benchmark score one rule against narrower upstream checks
 * without a second implementation; they never reach a review.
 */
export interface RuleHit extends Finding {
  aspects: string[];
}

export interface HitSite {
  resource: string;
  file: string;
  line: number;
  aspects: string[];
  /** What is wrong when the line alone does not say it (a missing attribute, the port matched). */
  detail?: string;
}

const MAX_EVIDENCE = 200;

export function makeHit(config: Configuration, rule: TerraformRule, site: HitSite): RuleHit {
  const source = config.sourceLine(site.file, site.line);
  const evidence = site.detail ? `${source} (${site.detail})` : source;
  return {
    rule_id: rule.id,
    title: rule.title,
    severity: rule.severity,
    resource: site.resource,
    file: site.file,
    line: site.line,
    evidence: evidence.length > MAX_EVIDENCE ? `${evidence.slice(0, MAX_EVIDENCE - 1)}…` : evidence,
    standard: rule.standard,
    aspects: site.aspects,
  };
}
