import { hiddenPayloads } from "./injection-hidden.js";
import type { Indicator, InjectionCategory } from "./injection-indicators.js";
import { MULTILINGUAL_INDICATORS } from "./injection-multilingual.js";
import { type NormalizedText, normalizeForScan } from "./injection-normalize.js";
import { DIRECT_INDICATORS } from "./injection-rules-direct.js";
import { EMBEDDED_INDICATORS } from "./injection-rules-embedded.js";

export type { InjectionCategory } from "./injection-indicators.js";

/**
 * Prompt-injection scanning for untrusted content (tickets, PR text, wiki pages, tool output)
 * and for incoming prompts. Text is normalized first (NFKC, invisible characters removed,
 * homoglyphs mapped, case and spacing folded), then scored: each category contributes its
 * strongest indicator's weight, and a text is flagged when the total reaches 1. So one strong
 * signal ("ignore previous instructions") flags on its own, while weak ones ("act as", "run the
 * following command") flag only together with another technique.
 */

export interface InjectionMatch {
  indicator: string;
  /** The matched passage from the original text (whitespace folded, at most 160 characters). */
  excerpt: string;
  /** Offset of the match in the original text. */
  index: number;
  category: InjectionCategory;
  weight: number;
}

export interface InjectionAssessment {
  score: number;
  flagged: boolean;
  /** Every indicator found, including weak ones that did not reach the threshold. */
  matches: InjectionMatch[];
}

export const INJECTION_THRESHOLD = 1;
const INDICATORS: readonly Indicator[] = [
  ...DIRECT_INDICATORS,
  ...EMBEDDED_INDICATORS,
  ...MULTILINGUAL_INDICATORS,
];
const EXCERPT_MAX = 160;

function excerpt(original: string, start: number, end: number): string {
  const text = original
    .slice(start, Math.min(end, start + EXCERPT_MAX * 2))
    .replace(/\s+/g, " ")
    .trim();
  return text.length > EXCERPT_MAX ? `${text.slice(0, EXCERPT_MAX - 1)}…` : text;
}

function indicatorMatches(original: string, norm: NormalizedText): InjectionMatch[] {
  const out: InjectionMatch[] = [];
  for (const indicator of INDICATORS) {
    for (const hit of indicator.find(norm.text)) {
      const start = norm.origin[hit.index] ?? 0;
      const end = (norm.origin[Math.max(hit.index, hit.end - 1)] ?? start) + 1;
      out.push({
        indicator: indicator.id,
        excerpt: excerpt(original, start, end),
        index: start,
        category: indicator.category,
        weight: hit.weight,
      });
    }
  }
  return out;
}

/** Invisible-character tricks, homoglyphs, and instructions hidden in tags, base64 or binary. */
function obfuscationMatches(original: string, norm: NormalizedText): InjectionMatch[] {
  const out: InjectionMatch[] = [];
  const add = (indicator: string, index: number, text: string, weight: number) =>
    out.push({ indicator, index, excerpt: excerpt(text, 0, text.length), category: "obfuscation", weight });
  if (norm.splitWordCount > 0)
    add("zero-width-split-word", 0, `${norm.splitWordCount} invisible character(s) inside words`, 0.5);
  if (norm.mixedScriptWords > 0)
    add(
      "mixed-script-homoglyphs",
      0,
      `${norm.mixedScriptWords} word(s) mixing Latin with look-alike letters`,
      0.5,
    );
  for (const payload of hiddenPayloads(original)) {
    if (payload.kind === "unicode-tags")
      add("unicode-tag-characters", payload.index, `hidden text: ${payload.decoded}`, 1);
    const inner = indicatorMatches(payload.decoded, normalizeForScan(payload.decoded));
    if (inner.some((m) => m.weight >= 0.6))
      add("encoded-instructions", payload.index, `${payload.kind}: ${payload.decoded}`, 1);
  }
  return out;
}

function score(matches: InjectionMatch[]): number {
  const best = new Map<InjectionCategory, number>();
  for (const m of matches) best.set(m.category, Math.max(best.get(m.category) ?? 0, m.weight));
  return [...best.values()].reduce((a, b) => a + b, 0);
}

/** Scores `text` and lists every indicator found. */
export function assessInjection(text: string): InjectionAssessment {
  const norm = normalizeForScan(text);
  const matches = [...indicatorMatches(text, norm), ...obfuscationMatches(text, norm)].sort(
    (a, b) => a.index - b.index,
  );
  const total = Math.round(score(matches) * 100) / 100;
  return { score: total, flagged: total >= INJECTION_THRESHOLD, matches };
}

/**
 * The indicators of a text judged to be an injection attempt, or [] when it is not. Weak
 * indicators below the threshold are left out, so "non-empty" can be used as the verdict; call
 * assessInjection for the score and the weak signals too.
 */
export function scanForInjection(text: string): InjectionMatch[] {
  const result = assessInjection(text);
  return result.flagged ? result.matches : [];
}
