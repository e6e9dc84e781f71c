/**
 * The shape every secret rule shares. A detector scans text and returns the character span of
 * the secret itself (not the surrounding key name), so redaction keeps "password=" readable.
 */

/** Coarse families, in the vocabulary of the corpus manifests so figures can be compared. */
export type SecretCategory =
  | "aws_access_key"
  | "aws_secret_key"
  | "github_token"
  | "slack_token"
  | "private_key"
  | "password"
  | "api_key"
  | "jwt"
  | "token"
  | "generic_secret"
  | "webhook_url"
  | "other";

export interface SecretMatch {
  rule: string;
  start: number;
  end: number;
}

export interface SecretDetector {
  readonly id: string;
  readonly category: SecretCategory;
  scan(text: string): SecretMatch[];
}

export interface RegexRuleSpec {
  id: string;
  category: SecretCategory;
  /**
   * Every quantifier must be bounded and no quantified group may contain another quantifier:
   * the engine backtracks, and bounded, flat patterns keep each attempt O(1) so a scan is O(n).
   */
  pattern: RegExp;
  /** Capture group holding the secret; 0 (the whole match) by default. */
  group?: number;
  /** Extra validation of the captured secret; the match is dropped when it returns false. */
  accept?: (secret: string, match: RegExpExecArray) => boolean;
}

/** Builds a detector from a regular expression, forcing the `g` and `d` (indices) flags. */
export function regexRule(spec: RegexRuleSpec): SecretDetector {
  const flags = new Set([...spec.pattern.flags, "g", "d"]);
  const pattern = new RegExp(spec.pattern.source, [...flags].join(""));
  const group = spec.group ?? 0;
  return {
    id: spec.id,
    category: spec.category,
    scan(text: string): SecretMatch[] {
      const found: SecretMatch[] = [];
      pattern.lastIndex = 0;
      for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
        if (m[0].length === 0) pattern.lastIndex++;
        const span = m.indices?.[group];
        const secret = m[group];
        if (span === undefined || secret === undefined) continue;
        if (spec.accept && !spec.accept(secret, m)) continue;
        found.push({ rule: spec.id, start: span[0], end: span[1] });
      }
      return found;
    },
  };
}
