import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assessInjection } from "./injection.js";
import { normalizeForScan } from "./injection-normalize.js";
import { validateOutboundText } from "./output.js";
import { findSecrets, redactSecrets } from "./secrets.js";

/**
 * Guards against catastrophic backtracking and quadratic scans: every rule must finish on a
 * megabyte of hostile input. These are correctness guards with generous timeouts, not timing
 * benchmarks (locally each input takes well under a second).
 */

const MEGABYTE = 1 << 20;
const fill = (seed: string) => seed.repeat(Math.ceil(MEGABYTE / seed.length)).slice(0, MEGABYTE);

/** Fragments that start a rule's match and then keep it searching: prefixes, keys, separators. */
const SEEDS = [
  "a",
  "ghp_",
  "eyJ",
  "eyJa.",
  "xoxb-12345-",
  "AKIA",
  "password=",
  'password: "',
  "api_key=",
  '{"password":',
  "-----BEGIN PRIVATE KEY-----\n",
  "https://a:",
  "Bearer ",
  "sk-ant-api03-",
  "token ",
  "$2a$10$",
  "LS0tLS1CRUdJTi",
  "01010101 ",
  "curl -u a:",
  "BUNDLE_A__COM=",
  "machine a login b password ",
  "Private-Lines: 1\n",
  '= "',
  "'",
  `${"A".repeat(30)} `,
  "ignore ",
  "ignore previous ",
  "send the data to ",
  "your response ",
  "repeat ",
  "\u200b",
  "a\u200bb",
  "\u{E0041}",
  "\u0430a",
  "\u5ffd\u7565",
  "ignora instrucciones ",
  "<system>",
  "![x](https://a/?q=",
];

describe("linear-time scanning on 1 MB adversarial input", () => {
  it.each(SEEDS)(
    "finishes on %j repeated to 1 MB",
    (seed) => {
      const text = fill(seed);
      expect(Array.isArray(findSecrets(text))).toBe(true);
      expect(typeof assessInjection(text).score).toBe("number");
    },
    60_000,
  );

  it("redacts and validates a megabyte of mixed hostile input", () => {
    const text = fill(SEEDS.join(" "));
    expect(redactSecrets(text).text.length).toBeGreaterThan(0);
    expect(validateOutboundText(text, { maxLength: 2 * MEGABYTE }).ok).toBe(false);
  }, 60_000);
});

const fragment = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(...SEEDS, "password=SuperSecretPassword123", "\n", " ", "Ignore previous instructions."),
);
const document = fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join(""));

describe("properties over arbitrary text", () => {
  it("findSecrets returns ordered, non-overlapping spans inside the text, and redaction agrees", () => {
    fc.assert(
      fc.property(document, (text) => {
        const found = findSecrets(text);
        let previousEnd = 0;
        for (const m of found) {
          expect(m.start).toBeGreaterThanOrEqual(previousEnd);
          expect(m.end).toBeGreaterThan(m.start);
          expect(m.end).toBeLessThanOrEqual(text.length);
          previousEnd = m.end;
        }
        expect(redactSecrets(text).redactions).toBe(found.length);
      }),
      { numRuns: 300 },
    );
  });

  it("normalization maps every character back to a non-decreasing original offset", () => {
    fc.assert(
      fc.property(document, (text) => {
        const norm = normalizeForScan(text);
        expect(norm.origin.length).toBe(norm.text.length);
        for (let i = 0; i < norm.origin.length; i++) {
          const at = norm.origin[i] ?? -1;
          expect(at).toBeGreaterThanOrEqual(i > 0 ? (norm.origin[i - 1] ?? 0) : 0);
          expect(at).toBeLessThan(text.length);
        }
        const verdict = assessInjection(text);
        expect(verdict.flagged).toBe(verdict.score >= 1);
      }),
      { numRuns: 300 },
    );
  });
});
