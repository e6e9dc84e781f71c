import { describe, expect, it } from "vitest";
import { analyzeTerraform } from "./index.js";

function retentionLines(content: string): number[] {
  return analyzeTerraform([{ path: "logs.tf", content }])
    .filter((f) => f.rule_id === "LOG_RETENTION_MISSING")
    .map((f) => f.line);
}

const group = (retention?: string) =>
  `resource "aws_cloudwatch_log_group" "app" {\n  name = "/zyx/app"\n${retention === undefined ? "" : `  retention_in_days = ${retention}\n`}}\n`;

describe("CloudWatch log retention", () => {
  it("flags a log group without retention_in_days on the block's line", () => {
    expect(retentionLines(group())).toEqual([1]);
  });

  it.each(["0", "45", "null"])(
    "flags retention_in_days = %s (never expires, or not a valid period)",
    (value) => {
      expect(retentionLines(group(value))).toEqual([3]);
    },
  );

  it.each(["1", "30", "365", '"90"'])("accepts retention_in_days = %s", (value) => {
    expect(retentionLines(group(value))).toEqual([]);
  });

  it("resolves a variable default, and does not judge a value it cannot know", () => {
    expect(retentionLines(`variable "days" {\n  default = 30\n}\n${group("var.days")}`)).toEqual([]);
    expect(retentionLines(`variable "days" {\n  default = 0\n}\n${group("var.days")}`)).toEqual([6]);
    expect(retentionLines(`variable "days" {}\n${group("var.days")}`)).toEqual([]);
    expect(retentionLines(`locals {\n  days = 14\n}\n${group("local.days")}`)).toEqual([]);
  });

  it("checks the cloudwatch module's log-group submodule", () => {
    const text = `module "logs" {\n  source = "terraform-aws-modules/cloudwatch/aws//modules/log-group"\n  name   = "app"\n}\n`;
    expect(retentionLines(text)).toEqual([1]);
  });
});
