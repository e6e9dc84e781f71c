import { dominantCharShare, shannonEntropy } from "./entropy.js";

/**
 * Placeholder and template recognition shared by every secret rule. Documentation, examples and
 * templates are full of strings shaped like credentials ("ghp_xxxx…", "${DB_PASSWORD}",
 * "<your token>"); flagging them would block legitimate output, so each rule asks here first.
 * The lists are generic template conventions, not strings taken from any test corpus.
 */

const PLACEHOLDER_WORDS =
  /example|sample|placeholder|dummy|redacted|changeme|change_me|your[_-]|yourtoken|yourkey|yourpass|insert[_-]?your|replace[_-]?(?:me|with)|put[_-]your|xxxx|\*\*\*|####|\.\.\.|•••|<[a-z _-]{1,40}>/i;

/** Template or variable syntax: ${X}, {{x}}, $(cmd), %VAR%, <%= %>, {0}, $VAR. */
const TEMPLATE_SYNTAX =
  /\$\{|\{\{|\}\}|\$\(|#\{|<%|%\(|^%[A-Za-z_]+%$|^\$[A-Za-z_0-9]|^\{[A-Za-z0-9_]{0,40}\}$|^@[A-Za-z_]+@$|^\[[^\]]{1,60}\]$/;

const ALPHABET = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";

/** True when the value contains an ascending run like "abcdefghij" or "1234567890". */
export function hasSequentialRun(value: string, runLength: number): boolean {
  const lower = value.toLowerCase();
  let run = 1;
  for (let i = 1; i < lower.length; i++) {
    const prev = lower[i - 1] ?? "";
    const cur = lower[i] ?? "";
    const seq =
      (ALPHABET.includes(prev) && ALPHABET.indexOf(cur) === ALPHABET.indexOf(prev) + 1) ||
      (DIGITS.includes(prev) && DIGITS.indexOf(cur) === (DIGITS.indexOf(prev) + 1) % 10);
    run = seq ? run + 1 : 1;
    if (run >= runLength) return true;
  }
  return false;
}

/** True for template references: "${X}", "{{ x }}", "$VAR", "%VAR%", "<%= x %>". */
export function isTemplateReference(value: string): boolean {
  return TEMPLATE_SYNTAX.test(value.trim());
}

/**
 * True when `value` (a candidate secret) is a placeholder: template syntax, a placeholder word,
 * a masked run, one character dominating, too little variety for its length, or an alphabet run.
 */
export function isPlaceholder(value: string): boolean {
  if (value.length === 0) return true;
  if (isTemplateReference(value) || PLACEHOLDER_WORDS.test(value)) return true;
  if (/(.)\1{5,}/.test(value) && dominantCharShare(value) > 0.4) return true;
  if (dominantCharShare(value) > 0.6) return true;
  // A long random token uses many symbols; "AAAABBBB…" or "123123…" does not.
  if (value.length >= 24 && shannonEntropy(value) < 3) return true;
  // Alphabet runs, also when interleaved with digits ("a1b2c3d4…").
  return hasSequentialRun(value, 12) || hasSequentialRun(value.replace(/[^A-Za-z]/g, ""), 12);
}
