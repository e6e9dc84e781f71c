import { describe, expect, it } from "vitest";
import { TERRAFORM_RULES } from "./index.js";

describe("TERRAFORM_RULES", () => {
  it("lists the four rules with the reference scenario's titles, remediations and standards", () => {
    expect(TERRAFORM_RULES.map((r) => [r.id, r.severity, r.title, r.remediation, r.standard])).toEqual([
      [
        "S3_PUBLIC_ACCESS_BLOCK_MISSING",
        "high",
        "S3 bucket does not explicitly enforce public access block.",
        "Add S3 public access block.",
        "S3 buckets must block public access unless explicitly approved",
      ],
      [
        "IAM_WILDCARD_ACTION",
        "high",
        "IAM policy includes wildcard actions. Least privilege review required.",
        "Replace wildcard IAM actions with explicit actions.",
        "IAM policies must avoid wildcard actions unless justified and approved",
      ],
      [
        "SG_ADMIN_PORT_OPEN_TO_WORLD",
        "high",
        "Security group allows inbound access from 0.0.0.0/0 on an administrative port.",
        "Restrict security group source to approved network ranges.",
        "Administrative ports must not be exposed to 0.0.0.0/0",
      ],
      [
        "LOG_RETENTION_MISSING",
        "medium",
        "CloudWatch log retention is not defined.",
        "Define CloudWatch log retention.",
        "CloudWatch log groups must define retention",
      ],
    ]);
  });

  it("cannot be changed at run time", () => {
    expect(Object.isFrozen(TERRAFORM_RULES)).toBe(true);
    expect(TERRAFORM_RULES.every((r) => Object.isFrozen(r))).toBe(true);
  });
});
