import type { Severity } from "../../core/review/finding.js";

export interface TerraformRule {
  id: string;
  title: string;
  severity: Severity;
  /** The title of the security standard the rule enforces (a Confluence page in the reference scenario). */
  standard: string;
  remediation: string;
}

export const S3_PUBLIC_ACCESS: TerraformRule = Object.freeze({
  id: "S3_PUBLIC_ACCESS_BLOCK_MISSING",
  title: "S3 bucket does not explicitly enforce public access block.",
  severity: "high",
  standard: "S3 buckets must block public access unless explicitly approved",
  remediation: "Add S3 public access block.",
});

export const IAM_WILDCARD: TerraformRule = Object.freeze({
  id: "IAM_WILDCARD_ACTION",
  title: "IAM policy includes wildcard actions. Least privilege review required.",
  severity: "high",
  standard: "IAM policies must avoid wildcard actions unless justified and approved",
  remediation: "Replace wildcard IAM actions with explicit actions.",
});

export const ADMIN_PORT_OPEN: TerraformRule = Object.freeze({
  id: "SG_ADMIN_PORT_OPEN_TO_WORLD",
  title: "Security group allows inbound access from 0.0.0.0/0 on an administrative port.",
  severity: "high",
  standard: "Administrative ports must not be exposed to 0.0.0.0/0",
  remediation: "Restrict security group source to approved network ranges.",
});

export const LOG_RETENTION: TerraformRule = Object.freeze({
  id: "LOG_RETENTION_MISSING",
  title: "CloudWatch log retention is not defined.",
  severity: "medium",
  standard: "CloudWatch log groups must define retention",
  remediation: "Define CloudWatch log retention.",
});

export const TERRAFORM_RULES: ReadonlyArray<TerraformRule> = Object.freeze([
  S3_PUBLIC_ACCESS,
  IAM_WILDCARD,
  ADMIN_PORT_OPEN,
  LOG_RETENTION,
]);
