/**
 * The shape of a prompt-injection indicator. Indicators match normalized text (see
 * injection-normalize.ts: lower case, single spaces); each names a technique from public attack
 * taxonomies and carries a weight: strong signals score 1 on their own, weak ones (phrases with
 * innocent uses, such as "act as") only count together with others. The catalogues live in
 * injection-rules-direct.ts (what an attacker types), injection-rules-embedded.ts (what is planted
 * in retrieved content) and injection-multilingual.ts.
 */

export type InjectionCategory =
  | "instruction_override"
  | "role_hijack"
  | "prompt_extraction"
  | "exfiltration"
  | "tool_coercion"
  | "output_manipulation"
  | "output_encoding"
  | "social_engineering"
  | "fake_delimiter"
  | "security_evasion"
  | "concealment"
  | "model_addressing"
  | "credential_request"
  | "obfuscation";

/** One place in the normalized text where an indicator fired. */
export interface IndicatorHit {
  index: number;
  end: number;
  weight: number;
}

export interface Indicator {
  id: string;
  category: InjectionCategory;
  find(normalized: string): IndicatorHit[];
}

export interface RegexIndicatorSpec {
  id: string;
  category: InjectionCategory;
  pattern: RegExp;
  /** Weight of a match; a function when the matched words, or the words before them, decide it. */
  weight: number | ((match: RegExpExecArray, text: string) => number);
}

/** Evidence enough: a text repeating one phrase thousands of times yields this many hits. */
export const MAX_HITS_PER_INDICATOR = 25;

/** An indicator defined by one global regular expression. */
export function regexIndicator(spec: RegexIndicatorSpec): Indicator {
  const pattern = new RegExp(
    spec.pattern.source,
    spec.pattern.flags.includes("g") ? spec.pattern.flags : `${spec.pattern.flags}g`,
  );
  return {
    id: spec.id,
    category: spec.category,
    find(normalized: string): IndicatorHit[] {
      const hits: IndicatorHit[] = [];
      pattern.lastIndex = 0;
      for (
        let m = pattern.exec(normalized);
        m !== null && hits.length < MAX_HITS_PER_INDICATOR;
        m = pattern.exec(normalized)
      ) {
        if (m[0].length === 0) pattern.lastIndex++;
        const weight = typeof spec.weight === "number" ? spec.weight : spec.weight(m, normalized);
        hits.push({ index: m.index, end: m.index + m[0].length, weight });
      }
      return hits;
    },
  };
}
