import { ASSIGNMENT_RULES } from "./secret-assignment.js";
import type { SecretCategory, SecretDetector, SecretMatch } from "./secret-detector.js";
import { PRIVATE_KEY_RULES } from "./secret-rules-private-key.js";
import { REFERENCE_RULES } from "./secret-rules-reference.js";
import { STRUCTURAL_RULES } from "./secret-rules-structural.js";
import { VENDOR_RULES } from "./secret-rules-vendor.js";

export type { SecretCategory, SecretMatch } from "./secret-detector.js";

/**
 * Secret detection and redaction over free text. Detectors run from most to least specific;
 * where two claim overlapping text the more specific one wins, so a GitHub token inside
 * `GITHUB_TOKEN=ghp_…` is reported as `github-token`, not as a generic assignment.
 */
const DETECTORS: readonly SecretDetector[] = [
  ...PRIVATE_KEY_RULES,
  ...VENDOR_RULES,
  ...STRUCTURAL_RULES,
  ...REFERENCE_RULES,
  ...ASSIGNMENT_RULES,
];

const CATEGORY_BY_RULE = new Map<string, SecretCategory>([
  ...DETECTORS.map((d): [string, SecretCategory] => [d.id, d.category]),
  ["secret-assignment", "generic_secret"],
]);

/** The coarse family of a rule id returned by findSecrets. */
export function secretRuleCategory(rule: string): SecretCategory {
  return CATEGORY_BY_RULE.get(rule) ?? "other";
}

/** Non-overlapping secret spans in `text`, ordered by position. */
export function findSecrets(text: string): SecretMatch[] {
  const kept: SecretMatch[] = [];
  // One flag per character claimed so far: overlap checks cost the match length, not the
  // number of earlier matches, which keeps hostile inputs with many matches linear.
  const claimed = new Uint8Array(text.length);
  for (const detector of DETECTORS) {
    for (const match of detector.scan(text)) {
      if (match.end <= match.start || claimed.subarray(match.start, match.end).includes(1)) continue;
      claimed.fill(1, match.start, match.end);
      kept.push(match);
    }
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Replaces each secret with "[REDACTED:<rule>]". */
export function redactSecrets(text: string): { text: string; redactions: number } {
  const matches = findSecrets(text);
  if (matches.length === 0) return { text, redactions: 0 };
  let out = "";
  let cursor = 0;
  for (const m of matches) {
    out += `${text.slice(cursor, m.start)}[REDACTED:${m.rule}]`;
    cursor = m.end;
  }
  return { text: out + text.slice(cursor), redactions: matches.length };
}
