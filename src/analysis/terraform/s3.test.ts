import { describe, expect, it } from "vitest";
import { analyzeTerraformDetailed } from "./index.js";

const RULE = "S3_PUBLIC_ACCESS_BLOCK_MISSING";

function s3Hits(content: string) {
  return analyzeTerraformDetailed([{ path: "infra/s3.tf", content }])
    .filter((h) => h.rule_id === RULE)
    .map((h) => ({ line: h.line, resource: h.resource, aspects: h.aspects }));
}

const BUCKET = `resource "aws_s3_bucket" "logs" {
  bucket = "zyx-logs"
}
`;

function accessBlock(bucketExpr: string, settings: Record<string, string>): string {
  const lines = Object.entries(settings).map(([k, v]) => `  ${k} = ${v}`);
  return `resource "aws_s3_bucket_public_access_block" "logs" {\n  bucket = ${bucketExpr}\n${lines.join("\n")}\n}\n`;
}

const ALL_TRUE = {
  block_public_acls: "true",
  block_public_policy: "true",
  ignore_public_acls: "true",
  restrict_public_buckets: "true",
};

describe("S3 public access block", () => {
  it("flags a bucket that no public access block applies to, on the bucket's line", () => {
    expect(s3Hits(BUCKET)).toEqual([
      { line: 1, resource: "aws_s3_bucket.logs", aspects: ["s3.pab_missing"] },
    ]);
  });

  it.each([
    ["a reference to .id", "aws_s3_bucket.logs.id"],
    ["a reference to .bucket", "aws_s3_bucket.logs.bucket"],
    ["the same literal name", '"zyx-logs"'],
  ])("accepts a complete access block that targets the bucket by %s", (_label, target) => {
    expect(s3Hits(BUCKET + accessBlock(target, ALL_TRUE))).toEqual([]);
  });

  it("does not treat an access block for another bucket as cover", () => {
    const other = accessBlock("aws_s3_bucket.other.id", ALL_TRUE);
    expect(s3Hits(BUCKET + other)).toEqual([
      { line: 1, resource: "aws_s3_bucket.logs", aspects: ["s3.pab_missing"] },
    ]);
  });

  it("matches references within a Terraform module (directory), across its files", () => {
    const block = accessBlock("aws_s3_bucket.logs.id", ALL_TRUE);
    const analyze = (pabPath: string) =>
      analyzeTerraformDetailed([
        { path: "stack/s3.tf", content: BUCKET },
        { path: pabPath, content: block },
      ]).map((h) => `${h.file}:${h.line}`);
    expect(analyze("stack/access.tf")).toEqual([]);
    expect(analyze("other-stack/access.tf")).toEqual(["stack/s3.tf:1"]);
  });

  it("never flags a missing block when an access block's target cannot be read", () => {
    const unknownTarget = `variable "bucket_id" {}\n${accessBlock("var.bucket_id", ALL_TRUE)}`;
    expect(s3Hits(BUCKET + unknownTarget)).toEqual([]);
  });

  it("flags each setting set to false on its own line", () => {
    const text = BUCKET + accessBlock("aws_s3_bucket.logs.id", { ...ALL_TRUE, block_public_policy: "false" });
    expect(s3Hits(text)).toEqual([
      {
        line: 7,
        resource: "aws_s3_bucket_public_access_block.logs",
        aspects: ["s3.pab.block_public_policy"],
      },
    ]);
  });

  it("flags settings left out (the provider defaults them to false) on the block's line", () => {
    const text =
      BUCKET +
      accessBlock("aws_s3_bucket.logs.id", { block_public_acls: "true", block_public_policy: "true" });
    expect(s3Hits(text)).toEqual([
      {
        line: 4,
        resource: "aws_s3_bucket_public_access_block.logs",
        aspects: ["s3.pab.ignore_public_acls", "s3.pab.restrict_public_buckets"],
      },
    ]);
  });

  it("reads settings through variable defaults and ignores settings it cannot read", () => {
    const vars = `variable "strict" {\n  default = false\n}\nvariable "unknown" {}\n`;
    const text =
      vars +
      BUCKET +
      accessBlock("aws_s3_bucket.logs.id", {
        ...ALL_TRUE,
        ignore_public_acls: "var.strict",
        restrict_public_buckets: "var.unknown",
      });
    expect(s3Hits(text).map((h) => h.aspects)).toEqual([["s3.pab.ignore_public_acls"]]);
  });

  it("accepts an account-level public access block with every setting on", () => {
    const account = `resource "aws_s3_account_public_access_block" "this" {
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
`;
    expect(s3Hits(BUCKET + account)).toEqual([]);
  });
});

describe("S3 public ACLs and bucket policies", () => {
  it("flags a public canned ACL on a bucket without an access block", () => {
    const text = `resource "aws_s3_bucket" "site" {\n  bucket = "zyx-site"\n  acl    = "public-read"\n}\n`;
    expect(s3Hits(text).map((h) => [h.line, h.aspects[0]])).toEqual([
      [1, "s3.pab_missing"],
      [3, "s3.public_acl"],
    ]);
  });

  it("does not flag a public ACL that the bucket's access block neutralises", () => {
    const text = `resource "aws_s3_bucket" "site" {
  bucket = "zyx-site"
}
resource "aws_s3_bucket_acl" "site" {
  bucket = aws_s3_bucket.site.id
  acl    = "public-read-write"
}
${accessBlock("aws_s3_bucket.site.id", ALL_TRUE)}`;
    expect(s3Hits(text)).toEqual([]);
  });

  it("flags a bucket policy that allows anyone without a condition", () => {
    const text = `resource "aws_s3_bucket" "site" {
  bucket = "zyx-site"
}
resource "aws_s3_bucket_policy" "site" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::zyx-site/*"
    }]
  })
}
`;
    expect(s3Hits(text).map((h) => [h.line, h.aspects[0]])).toEqual([
      [1, "s3.pab_missing"],
      [9, "s3.public_policy"],
    ]);
  });

  it("does not flag a public-principal statement narrowed by a condition", () => {
    const text = `resource "aws_s3_bucket_policy" "site" {
  bucket = "zyx-site"
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::zyx-site/*"
      Condition = { StringEquals = { "aws:SourceVpce" = "vpce-1a2b3c4d" } }
    }]
  })
}
`;
    expect(s3Hits(text)).toEqual([]);
  });
});

describe("terraform-aws-modules/s3-bucket", () => {
  const moduleCall = (version: string, extra = "") => `module "archive" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "${version}"
  bucket  = "zyx-archive"
${extra}}
`;

  it("flags unset access-block inputs on releases before 3.9.0, where they default to false", () => {
    expect(s3Hits(moduleCall("3.7.0", "  ignore_public_acls = true\n"))).toEqual([
      {
        line: 1,
        resource: "module.archive",
        aspects: ["s3.pab.block_public_acls", "s3.pab.block_public_policy", "s3.pab.restrict_public_buckets"],
      },
    ]);
  });

  it("accepts unset inputs on releases whose defaults are true", () => {
    expect(s3Hits(moduleCall("4.1.0"))).toEqual([]);
    expect(s3Hits(moduleCall("~> 3.0"))).toEqual([]);
  });

  it("flags an input set to false whatever the version", () => {
    expect(s3Hits(moduleCall("4.1.0", "  block_public_policy = false\n"))).toEqual([
      { line: 5, resource: "module.archive", aspects: ["s3.pab.block_public_policy"] },
    ]);
  });

  it("flags attach_public_policy = false, which creates no access block at all", () => {
    expect(s3Hits(moduleCall("4.1.0", "  attach_public_policy = false\n"))).toEqual([
      { line: 5, resource: "module.archive", aspects: ["s3.pab_missing"] },
    ]);
  });
});
