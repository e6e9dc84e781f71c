import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeTerraform } from "./index.js";

const OPEN_SSH = `resource "aws_security_group" "a" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

const NO_RETENTION = `resource "aws_cloudwatch_log_group" "b" {\n  name = "b"\n}\n`;

describe("input the analyzer must survive", () => {
  it("reads only .tf files", () => {
    const files = [
      { path: "README.md", content: OPEN_SSH },
      { path: "main.tf.json", content: "{}" },
      { path: "main.tfvars", content: 'x = "y"' },
    ];
    expect(analyzeTerraform(files)).toEqual([]);
    expect(analyzeTerraform([])).toEqual([]);
  });

  it("skips a broken block and still reads the sound ones", () => {
    const broken = `resource "aws_s3_bucket" "x" {\n  bucket = \n`;
    const findings = analyzeTerraform([
      { path: "a.tf", content: NO_RETENTION + broken },
      { path: "b.tf", content: OPEN_SSH },
    ]);
    expect(findings.map((f) => [f.file, f.line, f.rule_id])).toEqual([
      ["a.tf", 1, "LOG_RETENTION_MISSING"],
      ["b.tf", 6, "SG_ADMIN_PORT_OPEN_TO_WORLD"],
    ]);
  });

  it("reads Windows line endings with the same lines", () => {
    const crlf = OPEN_SSH.replaceAll("\n", "\r\n");
    const [finding] = analyzeTerraform([{ path: "crlf.tf", content: crlf }]);
    expect([finding?.line, finding?.evidence]).toEqual([
      6,
      'cidr_blocks = ["0.0.0.0/0"] (0.0.0.0/0 on 22 (SSH))',
    ]);
  });

  it("ignores a heredoc policy that is not valid JSON", () => {
    const text = `resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{ "Statement": [ { "Action": "*", \nEOF\n}\n`;
    expect(analyzeTerraform([{ path: "p.tf", content: text }])).toEqual([]);
  });

  it("treats absurdly deep nesting as malformed instead of overflowing the stack", () => {
    const deep = `resource "aws_iam_policy" "p" {\n  policy = ${"[".repeat(20_000)}"*"${"]".repeat(20_000)}\n}\n`;
    expect(() => analyzeTerraform([{ path: "deep.tf", content: deep + NO_RETENTION }])).not.toThrow();
    expect(analyzeTerraform([{ path: "deep.tf", content: deep + NO_RETENTION }]).map((f) => f.line)).toEqual([
      4,
    ]);
  });

  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        analyzeTerraform([{ path: "fuzz.tf", content: text }]);
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on damaged real configurations", () => {
    const source = OPEN_SSH + NO_RETENTION;
    fc.assert(
      fc.property(fc.nat(source.length), fc.nat(40), fc.string({ maxLength: 12 }), (at, cut, insert) => {
        const damaged = source.slice(0, at) + insert + source.slice(at + cut);
        analyzeTerraform([{ path: "damaged.tf", content: damaged }]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("output", () => {
  it("is sorted by file, line and rule, whatever the order of the files", () => {
    const files = [
      { path: "b.tf", content: OPEN_SSH },
      { path: "a.tf", content: NO_RETENTION + OPEN_SSH },
    ];
    const forward = analyzeTerraform(files);
    expect(analyzeTerraform([...files].reverse())).toEqual(forward);
    expect(forward.map((f) => `${f.file}:${f.line}`)).toEqual(["a.tf:1", "a.tf:9", "b.tf:6"]);
  });

  it("keeps evidence short", () => {
    const long = `resource "aws_security_group_rule" "r" {
  type = "ingress"
  from_port = 22
  to_port = 22
  protocol = "tcp"
  cidr_blocks = ["0.0.0.0/0", ${Array.from({ length: 40 }, (_, i) => `"10.${i}.0.0/16"`).join(", ")}]
}
`;
    const [finding] = analyzeTerraform([{ path: "r.tf", content: long }]);
    expect(finding?.evidence.length).toBeLessThanOrEqual(200);
    expect(finding?.evidence.startsWith('cidr_blocks = ["0.0.0.0/0"')).toBe(true);
  });

  it("analyzes a 1,000-line file in well under a second", () => {
    const block = (i: number) => `resource "aws_security_group" "sg${i}" {
  name = "sg-${i}"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_iam_policy" "p${i}" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }]
  })
}
`;
    const content = Array.from({ length: 67 }, (_, i) => block(i)).join("\n");
    expect(content.split("\n").length).toBeGreaterThanOrEqual(1000);
    analyzeTerraform([{ path: "warm.tf", content }]);
    const started = performance.now();
    const findings = analyzeTerraform([{ path: "big.tf", content }]);
    const elapsed = performance.now() - started;
    expect(findings).toEqual([]);
    // Typically 20-40 ms (about half of it tree-sitter's own parse); the bound absorbs slow CI machines.
    expect(elapsed).toBeLessThan(500);
  });
});
