import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../config/paths.js";
import { analyzeTerraform, type SourceFile } from "./index.js";

/** The seeded pull requests, read from disk the way the sandbox GitHub simulator serves them. */
function pullRequest(number: number): SourceFile[] {
  const dir = path.join(packageRoot(), "src/sandbox/seed/terraform", `pr-${number}`, "terraform");
  return readdirSync(dir)
    .sort()
    .map((name) => ({ path: `terraform/${name}`, content: readFileSync(path.join(dir, name), "utf8") }));
}

const summary = (files: SourceFile[]) =>
  analyzeTerraform(files).map((f) => `${f.file}:${f.line} ${f.rule_id} ${f.resource} | ${f.evidence}`);

describe("seeded pull requests", () => {
  it("PR 991 (the reference change) yields exactly the four reference findings", () => {
    expect(summary(pullRequest(991))).toEqual([
      "terraform/cloudwatch.tf:2 LOG_RETENTION_MISSING aws_cloudwatch_log_group.audit_export | " +
        'resource "aws_cloudwatch_log_group" "audit_export" { (no retention_in_days: logs never expire)',
      'terraform/iam.tf:12 IAM_WILDCARD_ACTION aws_iam_policy.audit_export | Action = ["s3:*"]',
      "terraform/s3.tf:2 S3_PUBLIC_ACCESS_BLOCK_MISSING aws_s3_bucket.audit_logs | " +
        'resource "aws_s3_bucket" "audit_logs" { (no aws_s3_bucket_public_access_block applies to this bucket)',
      "terraform/security_group.tf:12 SG_ADMIN_PORT_OPEN_TO_WORLD aws_security_group.export_bastion | " +
        'cidr_blocks = ["0.0.0.0/0"] (0.0.0.0/0 on 22 (SSH))',
    ]);
  });

  it("PR 991's findings carry the rule's title, severity and standard", () => {
    const findings = analyzeTerraform(pullRequest(991));
    expect(findings.map((f) => [f.title, f.severity, f.standard])).toEqual([
      ["CloudWatch log retention is not defined.", "medium", "CloudWatch log groups must define retention"],
      [
        "IAM policy includes wildcard actions. Least privilege review required.",
        "high",
        "IAM policies must avoid wildcard actions unless justified and approved",
      ],
      [
        "S3 bucket does not explicitly enforce public access block.",
        "high",
        "S3 buckets must block public access unless explicitly approved",
      ],
      [
        "Security group allows inbound access from 0.0.0.0/0 on an administrative port.",
        "high",
        "Administrative ports must not be exposed to 0.0.0.0/0",
      ],
    ]);
  });

  it("PR 992 (the same scope done right) yields no findings", () => {
    expect(analyzeTerraform(pullRequest(992))).toEqual([]);
  });

  it("PR 993 (the same mistakes in other shapes) yields each one on its line", () => {
    expect(summary(pullRequest(993))).toEqual([
      'terraform/iam.tf:6 IAM_WILDCARD_ACTION data.aws_iam_policy_document.ingest_pipeline | actions   = ["*"]',
      'terraform/iam.tf:27 IAM_WILDCARD_ACTION aws_iam_role_policy.ingest_admin | "Action": "iam:*",',
      "terraform/s3.tf:10 S3_PUBLIC_ACCESS_BLOCK_MISSING aws_s3_bucket_public_access_block.ingest_landing | " +
        "block_public_policy     = false",
      "terraform/security_group.tf:14 SG_ADMIN_PORT_OPEN_TO_WORLD aws_security_group_rule.ingest_jump_rdp | " +
        'ipv6_cidr_blocks  = ["::/0"] (::/0 on 3389 (RDP))',
    ]);
  });

  it("PR 993's log group takes its retention from a variable default in another file", () => {
    const files = pullRequest(993);
    expect(files.map((f) => f.path)).toContain("terraform/variables.tf");
    const withoutVariables = files.filter((f) => f.path !== "terraform/variables.tf");
    // Without the default the value is unknown, and unknown values are never flagged.
    expect(analyzeTerraform(withoutVariables).filter((f) => f.rule_id === "LOG_RETENTION_MISSING")).toEqual(
      [],
    );
    const zeroDays = files.map((f) =>
      f.path === "terraform/variables.tf"
        ? { ...f, content: f.content.replace("default     = 30", "default     = 0") }
        : f,
    );
    expect(analyzeTerraform(zeroDays).map((f) => [f.rule_id, f.file, f.line])).toContainEqual([
      "LOG_RETENTION_MISSING",
      "terraform/cloudwatch.tf",
      3,
    ]);
  });
});
