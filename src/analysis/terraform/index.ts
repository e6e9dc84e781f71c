import type { Finding } from "../../core/review/finding.js";
import { checkLogRetention } from "./checks/cloudwatch.js";
import type { RuleHit } from "./checks/hit.js";
import { checkIamPolicies } from "./checks/iam.js";
import { checkAdminPorts } from "./checks/network.js";
import { checkS3 } from "./checks/s3.js";
import { Configuration, type SourceFile } from "./config/configuration.js";
import { policyDocuments } from "./policy/documents.js";

export type { RuleHit } from "./checks/hit.js";
export type { SourceFile } from "./config/configuration.js";
export { TERRAFORM_RULES, type TerraformRule } from "./rules.js";

/**
 * Findings for the Terraform files of a change. Only `*.tf` files are read; a file (or a
 * top-level block) that does not parse contributes nothing rather than failing the review.
 * Findings are sorted by file, line and rule.
 */
export function analyzeTerraform(files: SourceFile[]): Finding[] {
  return analyzeTerraformDetailed(files).map(({ aspects: _aspects, ...finding }) => finding);
}

/** The same findings with the aspects each one stands for (used to score against narrower upstream checks). */
export function analyzeTerraformDetailed(files: SourceFile[]): RuleHit[] {
  const terraform = files.filter((f) => f.path.endsWith(".tf"));
  if (terraform.length === 0) return [];
  const config = new Configuration(terraform);
  const documents = policyDocuments(config);
  const hits = [
    ...checkS3(config, documents),
    ...checkIamPolicies(config, documents),
    ...checkAdminPorts(config),
    ...checkLogRetention(config),
  ];
  return hits.sort(byLocation);
}

function byLocation(a: RuleHit, b: RuleHit): number {
  return (
    compareText(a.file, b.file) ||
    a.line - b.line ||
    compareText(a.rule_id, b.rule_id) ||
    compareText(a.resource, b.resource) ||
    compareText(a.evidence, b.evidence)
  );
}

/** Code-unit order, so the result does not depend on the process locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
