import { isPasswordLiteral, isRandomSecret } from "./credential-value.js";
import { classifyKey, type KeyClass } from "./key-words.js";
import type { SecretDetector, SecretMatch } from "./secret-detector.js";

/**
 * Keyword assignments: `DB_PASSWORD=…`, `"client_secret": "…"`, `apiKey := '…'`,
 * `<add key="SmtpPassword" value="…"/>`, `- name: DB_PASSWORD / value: …`, `password == "…"`.
 * Written as a small scanner rather than one regular expression: a keyword hit is widened to its
 * identifier, the operator and value are parsed by hand, and every step is bounded, so the scan
 * stays linear on hostile input and each decision can be explained.
 */

const KEYWORD =
  /passw|passphrase|passcode|pwd|pass|secret|token|credential|api[_.-]?key|key|cookie|authorization/gi;
const IDENT_CHAR = /[A-Za-z0-9_.-]/;
const MAX_IDENT = 80;
/** Longest value read; secrets are shorter, and a bound keeps hostile input linear. */
const MAX_VALUE = 4096;
/** Longest prefix judged: enough to tell a credential from a placeholder, cheap to test. */
const JUDGED_PREFIX = 256;

/**
 * Assignment operators, longest first; comparisons catch hard-coded credential checks. Up to 40
 * blanks may surround them, since aligned columns (`api_key      = "…"`) are common.
 */
const OPERATOR =
  /^["'\]\\]{0,3}[ \t]{0,40}(?::::=|::=|:=|\?=|=>|===|!==|==|!=|=|:(?!:)|\s{1,4}value\s{0,2}=|(?:,[ \t]{0,4}|\r?\n[ \t]{0,40})["']?value["']?[ \t]{0,4}[:=])[ \t]{0,40}/;

interface Value {
  start: number;
  end: number;
  quoted: boolean;
}

function identifierBounds(text: string, at: number, keywordEnd: number): [number, number] {
  let start = at;
  while (start > 0 && at - start < MAX_IDENT && IDENT_CHAR.test(text[start - 1] ?? "")) start--;
  let end = keywordEnd;
  while (end < text.length && end - keywordEnd < MAX_IDENT && IDENT_CHAR.test(text[end] ?? "")) end++;
  return [start, end];
}

/** Reads a quoted ("…", '…', `…`, \"…\") or bare value starting at `pos`. */
function readValue(text: string, pos: number): Value | undefined {
  const escapedQuote = text.startsWith('\\"', pos);
  const quote = escapedQuote ? '\\"' : (text[pos] ?? "");
  if (quote === '"' || quote === "'" || quote === "`" || escapedQuote) {
    const start = pos + quote.length;
    const limit = Math.min(text.length, start + MAX_VALUE);
    for (let i = start; i < limit; i++) {
      if (text[i] === "\n") return undefined;
      if (text[i] === "\\" && !escapedQuote) {
        i++;
        continue;
      }
      if (text.startsWith(quote, i)) return { start, end: i, quoted: true };
    }
    return undefined;
  }
  let end = pos;
  while (end < text.length && end - pos < MAX_VALUE && !/[\s"'`,;)}\]<>&|]/.test(text[end] ?? " ")) end++;
  return end > pos ? { start: pos, end, quoted: false } : undefined;
}

/**
 * A key that opens with a quote normally closes it before the operator (`"password": …`). If it
 * does not, the key and its value share one string (`-H "Token: abc123"`), so the value cannot
 * itself be quoted; a quoted one means the keyword was text inside a value (`label: "Password:"`).
 */
function keyQuotingFits(before: string | undefined, operator: string, valueQuoted: boolean): boolean {
  if (before !== '"' && before !== "'") return true;
  return operator.startsWith(before) || !valueQuoted;
}

function acceptable(cls: KeyClass, value: string, quoted: boolean): boolean {
  if (cls === "password") return isPasswordLiteral(value, quoted);
  return isRandomSecret(value, quoted);
}

function scanAssignments(text: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  let lastIdentEnd = -1;
  KEYWORD.lastIndex = 0;
  for (let m = KEYWORD.exec(text); m !== null; m = KEYWORD.exec(text)) {
    const [identStart, identEnd] = identifierBounds(text, m.index, m.index + m[0].length);
    if (identEnd <= lastIdentEnd) continue;
    lastIdentEnd = identEnd;
    KEYWORD.lastIndex = identEnd;
    const cls = classifyKey(text.slice(identStart, identEnd));
    if (cls === undefined) continue;
    const op = OPERATOR.exec(text.slice(identEnd, identEnd + 64));
    if (op === null) continue;
    const value = readValue(text, identEnd + op[0].length);
    if (value === undefined || !keyQuotingFits(text[identStart - 1], op[0], value.quoted)) continue;
    const ok = acceptable(
      cls,
      text.slice(value.start, Math.min(value.end, value.start + JUDGED_PREFIX)),
      value.quoted,
    );
    // A bare value holds no further keys, and an accepted one is done with: scan on after it.
    if (ok || !value.quoted) KEYWORD.lastIndex = Math.max(KEYWORD.lastIndex, value.end);
    if (ok) found.push({ rule: `${cls}-assignment`, start: value.start, end: value.end });
  }
  return found;
}

export const ASSIGNMENT_RULES: readonly SecretDetector[] = [
  { id: "password-assignment", category: "password", scan: scanAssignments },
];
