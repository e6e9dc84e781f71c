import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_OUTBOUND_LENGTH, validateOutboundText } from "./output.js";

describe("validateOutboundText", () => {
  it("accepts an ordinary review with newlines and tabs", () => {
    const review =
      "Risk rating: HIGH\n\t- sg-0a1b2c3d allows 0.0.0.0/0 on port 22\n\t- rollback plan missing";
    expect(validateOutboundText(review)).toEqual({ ok: true, problems: [] });
  });

  it("fails on a secret and names the rule and offset, not the secret", () => {
    const check = validateOutboundText("Use password=SuperSecretPassword123 to log in");
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual(["possible secret (password-assignment) at offset 13"]);
    expect(check.problems.join(" ")).not.toContain("SuperSecret");
  });

  it("fails on control characters other than newline and tab, including carriage return and C1", () => {
    expect(validateOutboundText("bell\u0007").problems).toEqual([
      "text contains 1 control character(s), first U+0007 at offset 4",
    ]);
    expect(validateOutboundText("a\r\nb").ok).toBe(false);
    expect(validateOutboundText("esc\u009b[31m").ok).toBe(false);
  });

  it("fails over the maximum length, with a default and an override", () => {
    expect(validateOutboundText("x".repeat(DEFAULT_MAX_OUTBOUND_LENGTH)).ok).toBe(true);
    expect(validateOutboundText("x".repeat(DEFAULT_MAX_OUTBOUND_LENGTH + 1)).ok).toBe(false);
    expect(validateOutboundText("hello world", { maxLength: 5 }).problems).toEqual([
      "text is 11 characters long; the limit is 5",
    ]);
  });
});
