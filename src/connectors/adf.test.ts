import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adfToText, markdownToAdf } from "./adf.js";

const text = (value: string) => ({ type: "text", text: value });
const paragraph = (...content: unknown[]) => ({ type: "paragraph", content });

describe("markdownToAdf", () => {
  it("converts headings, bullets, numbered items and paragraphs", () => {
    const doc = markdownToAdf(
      "## AI Security Review Summary\nChange: CHG-18422\nRisk rating: High\n\n### Findings\n- S3 bucket\n- IAM wildcard\n\n1. first\n2. second\n\nAdvisory only.",
    );
    expect(doc).toEqual({
      type: "doc",
      version: 1,
      content: [
        { type: "heading", attrs: { level: 2 }, content: [text("AI Security Review Summary")] },
        paragraph(text("Change: CHG-18422"), { type: "hardBreak" }, text("Risk rating: High")),
        { type: "heading", attrs: { level: 3 }, content: [text("Findings")] },
        {
          type: "bulletList",
          content: [
            { type: "listItem", content: [paragraph(text("S3 bucket"))] },
            { type: "listItem", content: [paragraph(text("IAM wildcard"))] },
          ],
        },
        {
          type: "orderedList",
          content: [
            { type: "listItem", content: [paragraph(text("first"))] },
            { type: "listItem", content: [paragraph(text("second"))] },
          ],
        },
        paragraph(text("Advisory only.")),
      ],
    });
  });

  it("never emits empty text nodes and drops control characters", () => {
    const doc = markdownToAdf("\r\n\r\n-  \n#  \n\u0000\u0007hello\u001b\r\n");
    const json = JSON.stringify(doc);
    expect(json).not.toContain('"text":""');
    expect(json).not.toMatch(/\\u000[07]|\\u001b/);
    expect(adfToText(doc)).toContain("hello");
  });

  it("keeps an ordered list's start number", () => {
    expect(markdownToAdf("3. third\n4. fourth").content[0]).toMatchObject({
      type: "orderedList",
      attrs: { order: 3 },
    });
  });

  it("is stable: text -> ADF -> text -> ADF gives the same document (property)", () => {
    const line = fc.oneof(
      fc.string({ maxLength: 30, unit: "binary" }),
      fc.string({ maxLength: 20 }).map((s) => `## ${s}`),
      fc.string({ maxLength: 20 }).map((s) => `- ${s}`),
      fc.constant(""),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const once = markdownToAdf(lines.join("\n"));
        expect(markdownToAdf(adfToText(once))).toEqual(once);
      }),
    );
  });
});

describe("adfToText", () => {
  it("flattens headings, lists, code, quotes, tables and inline nodes", () => {
    const doc = {
      type: "doc",
      version: 1,
      content: [
        { type: "heading", attrs: { level: 3 }, content: [text("Scope")] },
        paragraph(
          text("Owner: "),
          { type: "mention", attrs: { id: "abc", text: "@Priya Raman" } },
          text(" "),
          { type: "emoji", attrs: { shortName: ":warning:", text: "⚠️" } },
        ),
        { type: "bulletList", content: [{ type: "listItem", content: [paragraph(text("S3 bucket"))] }] },
        {
          type: "codeBlock",
          attrs: { language: "hcl" },
          content: [text('resource "aws_s3_bucket" "logs" {}')],
        },
        { type: "blockquote", content: [paragraph(text("quoted"))] },
        {
          type: "table",
          content: [
            {
              type: "tableRow",
              content: [
                { type: "tableHeader", content: [paragraph(text("Port"))] },
                { type: "tableHeader", content: [paragraph(text("Service"))] },
              ],
            },
            {
              type: "tableRow",
              content: [
                { type: "tableCell", content: [paragraph(text("22"))] },
                { type: "tableCell", content: [paragraph(text("SSH"))] },
              ],
            },
          ],
        },
        paragraph({
          type: "inlineCard",
          attrs: { url: "https://github.com/zyx-bank/platform-infra/pull/991" },
        }),
        { type: "panel", attrs: { panelType: "warning" }, content: [paragraph(text("inside a panel"))] },
      ],
    };
    expect(adfToText(doc)).toBe(
      [
        "### Scope",
        "Owner: @Priya Raman ⚠️",
        "- S3 bucket",
        '```\nresource "aws_s3_bucket" "logs" {}\n```',
        "> quoted",
        "Port | Service\n22 | SSH",
        "https://github.com/zyx-bank/platform-infra/pull/991",
        "inside a panel",
      ].join("\n\n"),
    );
  });

  it("returns an empty string for anything that is not ADF", () => {
    for (const value of [null, undefined, "plain", 42, [], { type: "doc", content: "x" }]) {
      expect(adfToText(value)).toBe("");
    }
  });

  it("skips malformed nodes instead of throwing", () => {
    const doc = {
      type: "doc",
      content: [paragraph(text("ok"), { type: "text", text: 7 }, null, "x"), 5, null],
    };
    expect(adfToText(doc)).toBe("ok");
  });

  it("survives hostile nesting depth without overflowing the stack", () => {
    let node: Record<string, unknown> = text("deep");
    for (let i = 0; i < 100_000; i += 1) node = { type: "blockquote", content: [node] };
    expect(() => adfToText({ type: "doc", version: 1, content: [node] })).not.toThrow();
  });
});
