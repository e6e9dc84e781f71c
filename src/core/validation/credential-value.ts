import { shannonEntropy } from "./entropy.js";
import { isPlaceholder, isTemplateReference } from "./placeholder.js";

/**
 * Judging a value found next to a credential keyword ("password=…", "Bearer …", "user:pass@").
 * Unlike prefixed vendor tokens these carry no format of their own, so the value must look
 * like a credential and not like a variable, an expression, a type name or a template.
 */

/** Words that stand for a value rather than being one (types, nulls, keyword echoes). */
const STAND_IN =
  /^(?:my|your|the|some|new|old|a)?[_-]?(?:password|passwd|pass|pwd|secret|token|apikey|api_key|key|credentials?|string|str|text|null|nil|none|undefined|true|false|required|optional|hidden|empty|test|user|username|admin|foo|bar|baz|value|changeit|default|auto|env|xxx+|yyy+|\*+)[_-]?[0-9]{0,3}$/i;

/** A dotted access path (`var.db_password`, `os.environ.get`) or a call: code, not a literal. */
const CODE_EXPRESSION = /^[A-Za-z_$][\w$]*(?:(?:\.|::|->)[A-Za-z_$][\w$]*)+$|[([]/;

/** Lower-case words joined by - _ . (`my-cluster-name`): an identifier, not a credential. */
const WORDISH = /^[a-z]+(?:[-_.][a-z]+)*$/i;

/** Values that are references to something else: paths, routes, ARNs, selectors, versions. */
const REFERENCE_LIKE = [
  /^[a-z][a-z0-9+.-]{1,20}:\/\//i,
  /^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)/,
  /^[a-z0-9_.-]+(?:\/[a-z0-9_.#-]+)+$/,
  /^arn:aws/,
  /^[#.][a-z]+(?:-[a-z]+)*$/i,
  /[-:]?\d+\.\d+\.\d+(?:[-.][\w]+)?$|SNAPSHOT$/,
];

function charClassCount(value: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
}

/** Common rejections for any keyword-anchored value. */
export function isStandIn(value: string): boolean {
  const v = value.trim().replace(/^["'`]+|["'`]+$/g, "");
  if (v.length === 0 || isTemplateReference(v) || STAND_IN.test(v)) return true;
  // YAML tags (!Ref), markup, object/array literals and string concatenation are not literals.
  if (/^![A-Z][A-Za-z]+/.test(v) || /&lt;|&gt;|^<|>$/.test(v) || /^[{[(]/.test(v)) return true;
  if (/^\s*[+.]|[+.(]\s*$/.test(value)) return true;
  if (REFERENCE_LIKE.some((re) => re.test(v))) return true;
  return isPlaceholder(v);
}

/** A password literal: short values are allowed when quoted, since a quote makes it a literal. */
export function isPasswordLiteral(value: string, quoted: boolean): boolean {
  if (isStandIn(value)) return false;
  if ((value.match(/\s/g) ?? []).length > 2 || /[\r\n]/.test(value)) return false;
  if (quoted) return value.length >= 4;
  if (CODE_EXPRESSION.test(value) || /^[A-Za-z_]+$/.test(value)) return false;
  return value.length >= 6 && charClassCount(value) >= 2 && !WORDISH.test(value);
}

/**
 * A random-looking secret (API key, token, client secret): long enough and not word-like. A
 * bare value may be code (`token = cfg.get(…)`); a quoted one is a literal whatever it holds.
 */
export function isRandomSecret(value: string, quoted: boolean): boolean {
  if (value.length < (quoted ? 8 : 10) || isStandIn(value) || /\s/.test(value)) return false;
  if (WORDISH.test(value) || (!quoted && CODE_EXPRESSION.test(value))) return false;
  if (/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(value)) return false;
  return charClassCount(value) >= 2 && shannonEntropy(value) >= 3;
}

/** A token after an auth scheme (`Bearer …`, `Basic …`): a word there is prose, not a token. */
export function isAuthToken(value: string): boolean {
  if (value.length < 8 || isStandIn(value) || WORDISH.test(value)) return false;
  return /[0-9]/.test(value) || (charClassCount(value) >= 2 && value.length >= 16);
}
