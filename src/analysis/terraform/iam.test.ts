import { describe, expect, it } from "vitest";
import { actionCovers, isBroadPrincipal, isWildcardAction } from "./checks/iam.js";
import { analyzeTerraformDetailed } from "./index.js";

const RULE = "IAM_WILDCARD_ACTION";

function iamHits(content: string) {
  return analyzeTerraformDetailed([{ path: "iam.tf", content }])
    .filter((h) => h.rule_id === RULE)
    .map((h) => ({ line: h.line, resource: h.resource, aspects: h.aspects, evidence: h.evidence }));
}

const jsonencodePolicy = (statement: string) => `resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
${statement}
    }]
  })
}
`;

describe("IAM wildcard actions", () => {
  it("flags service:* in a jsonencode policy on the action's line", () => {
    const hits = iamHits(
      jsonencodePolicy('      Effect = "Allow"\n      Action = ["s3:*"]\n      Resource = "*"'),
    );
    expect(hits).toEqual([
      {
        line: 7,
        resource: "aws_iam_policy.deploy",
        aspects: ["iam.wildcard_action", "iam.unconditioned"],
        evidence: 'Action = ["s3:*"]',
      },
    ]);
  });

  it('marks Allow "*" on Resource "*" as full admin', () => {
    const hits = iamHits(
      jsonencodePolicy('      Effect = "Allow"\n      Action = "*"\n      Resource = "*"'),
    );
    expect(hits[0]?.aspects).toEqual([
      "iam.wildcard_action",
      "iam.full_admin",
      "iam.unconditioned",
      "iam.passrole_all",
    ]);
  });

  it("does not flag explicit actions, partial wildcards, or Deny statements", () => {
    expect(
      iamHits(jsonencodePolicy('      Effect = "Allow"\n      Action = ["s3:GetObject", "s3:List*"]')),
    ).toEqual([]);
    expect(iamHits(jsonencodePolicy('      Effect = "Deny"\n      Action = "s3:*"'))).toEqual([]);
  });

  it("does not guess an effect it cannot read", () => {
    const text = `variable "effect" {}\n${jsonencodePolicy('      Effect = var.effect\n      Action = "*"')}`;
    expect(iamHits(text)).toEqual([]);
  });

  it("reads heredoc JSON and keeps line numbers pointing into the heredoc", () => {
    const text = `resource "aws_iam_role_policy" "ops" {
  role   = "ops"
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["ec2:Describe*", "iam:*"],
          "Resource": "*"
        }
      ]
    }
  EOF
}
`;
    expect(iamHits(text).map((h) => [h.line, h.evidence])).toEqual([
      [9, '"Action": ["ec2:Describe*", "iam:*"],'],
    ]);
  });

  it("reads a policy-document data source, whose effect defaults to Allow", () => {
    const text = `data "aws_iam_policy_document" "ci" {
  statement {
    actions = [
      "s3:GetObject",
      "*",
    ]
    resources = ["arn:aws:s3:::zyx-ci/*"]
  }
}
`;
    expect(iamHits(text)).toEqual([
      {
        line: 5,
        resource: "data.aws_iam_policy_document.ci",
        aspects: ["iam.wildcard_action", "iam.unconditioned"],
        evidence: '"*",',
      },
    ]);
  });

  it("resolves actions from a variable default and reports the line that uses it", () => {
    const text = `variable "actions" {
  default = ["sqs:*"]
}
${jsonencodePolicy('      Effect = "Allow"\n      Action = var.actions')}`;
    expect(iamHits(text).map((h) => [h.line, h.evidence])).toEqual([
      [10, "Action = var.actions (Allow sqs:*)"],
    ]);
  });

  it("flags Allow with NotAction", () => {
    const hits = iamHits(
      jsonencodePolicy('      Effect = "Allow"\n      NotAction = ["iam:*"]\n      Resource = "*"'),
    );
    expect(hits.map((h) => h.aspects)).toEqual([["iam.not_action"]]);
  });

  it('flags iam:PassRole on Resource "*" but not on a named role', () => {
    const open = iamHits(
      jsonencodePolicy('      Effect = "Allow"\n      Action = "iam:PassRole"\n      Resource = "*"'),
    );
    expect(open.map((h) => h.aspects)).toEqual([["iam.passrole_all"]]);
    const scoped = jsonencodePolicy(
      '      Effect = "Allow"\n      Action = "iam:PassRole"\n      Resource = "arn:aws:iam::123456789012:role/app"',
    );
    expect(iamHits(scoped)).toEqual([]);
  });

  it("checks key and queue policies like any other policy", () => {
    const text = `resource "aws_sqs_queue_policy" "q" {
  queue_url = "https://sqs.ap-southeast-1.amazonaws.com/123456789012/q"
  policy = <<POLICY
{
  "Statement": [{ "Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*" }]
}
POLICY
}
`;
    expect(iamHits(text).map((h) => [h.line, h.resource])).toEqual([[5, "aws_sqs_queue_policy.q"]]);
  });
});

describe("IAM trust policies", () => {
  const role = (principal: string, condition = "") => `resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = ${principal}${condition}
    }]
  })
}
`;

  it("flags a role anyone may assume", () => {
    expect(iamHits(role('{ AWS = "*" }')).map((h) => [h.line, h.aspects])).toEqual([
      [7, ["iam.trust_any_principal"]],
    ]);
  });

  it("flags a role every principal of an account may assume without a condition", () => {
    expect(iamHits(role('{ AWS = "arn:aws:iam::123456789012:root" }'))).toHaveLength(1);
  });

  it("accepts a service principal, or a broad principal narrowed by a condition", () => {
    expect(iamHits(role('{ Service = "ec2.amazonaws.com" }'))).toEqual([]);
    const withExternalId = '\n      Condition = { StringEquals = { "sts:ExternalId" = "zyx" } }';
    expect(iamHits(role('{ AWS = "arn:aws:iam::123456789012:root" }', withExternalId))).toEqual([]);
  });

  it("checks a policy-document data source used as a trust policy", () => {
    const text = `data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
resource "aws_iam_role" "app" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`;
    expect(iamHits(text).map((h) => [h.line, h.resource, h.aspects])).toEqual([
      [6, "data.aws_iam_policy_document.trust", ["iam.trust_any_principal"]],
    ]);
  });
});

describe("IAM helpers", () => {
  it("recognises wildcard actions", () => {
    expect(["*", "s3:*", "*:*", "kms:*"].every(isWildcardAction)).toBe(true);
    expect(["s3:Get*", "s3:GetObject", "iam:PassRole", ""].some(isWildcardAction)).toBe(false);
  });

  it("matches IAM action globs case-insensitively", () => {
    expect(actionCovers("iam:pass*", "iam:PassRole")).toBe(true);
    expect(actionCovers("iam:Get*", "iam:PassRole")).toBe(false);
  });

  it("recognises broad principals", () => {
    expect(isBroadPrincipal({ type: "*", value: "*" })).toBe(true);
    expect(isBroadPrincipal({ type: "AWS", value: "123456789012" })).toBe(true);
    expect(isBroadPrincipal({ type: "AWS", value: "arn:aws:iam::123456789012:role/ci" })).toBe(false);
    expect(isBroadPrincipal({ type: "Service", value: "ec2.amazonaws.com" })).toBe(false);
  });
});
