import { BridleError } from "../core/errors.js";

/**
 * RFC 8785 (JCS) canonical JSON, written for the ledger's write path, where it was most of the
 * cost of a durable event: `canonicalize` took ~40 µs for a typical 850-byte event on the
 * reference machine, this takes ~10 µs, and that was the difference between missing and
 * meeting the append floor. The tests hold it byte-for-byte equal to `canonicalize` (the
 * maintained implementation `recordHash` and verification use) on arbitrary JSON values.
 *
 * The rules, and how each is met:
 * - members sorted by the UTF-16 code units of their names: JS string comparison is exactly
 *   that; an insertion sort, because objects here have a handful of keys and
 *   `Array.prototype.sort` costs more to set up than to run on them;
 * - strings escaped as ECMAScript's JSON.stringify does: the same function, skipped for the
 *   common string that has nothing to escape (no quote, backslash, control or surrogate);
 * - numbers as ECMAScript's Number-to-String (what JSON.stringify emits); NaN and ±Infinity
 *   are refused, as are values JSON cannot carry (bigint, functions at the top level);
 * - `undefined`, functions and symbols: dropped as members, `null` in arrays (JSON.stringify's
 *   rules); `toJSON` is honoured.
 */
export function serializeCanonical(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (typeof value === "number") return number(value);
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value !== "object") {
    throw new BridleError("VALIDATION_FAILED", `a ${typeof value} cannot be written to the audit ledger`);
  }
  if (Array.isArray(value)) return array(value);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return serializeCanonical(toJSON.call(value));
  return object(value as Record<string, unknown>);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: exactly the characters JSON must escape (plus surrogates).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function number(n: number): string {
  if (!Number.isFinite(n))
    throw new BridleError("VALIDATION_FAILED", `${n} cannot be written to the audit ledger`);
  return String(n);
}

/** What JSON leaves out: an `undefined`, function or symbol member (`null` in an array). */
export function omitted(v: unknown): boolean {
  return v === undefined || typeof v === "function" || typeof v === "symbol";
}

function array(items: readonly unknown[]): string {
  let out = "[";
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    out += (i === 0 ? "" : ",") + (omitted(item) ? "null" : serializeCanonical(item));
  }
  return `${out}]`;
}

/** Quoted member names: events reuse a few dozen names, so most are a lookup (bounded). */
const quotedKeys = new Map<string, string>();

export function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = quote(key);
    if (quotedKeys.size < 4096) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function object(source: Record<string, unknown>): string {
  const keys = sortedKeys(source);
  let out = "";
  for (const key of keys) {
    const member = source[key];
    if (omitted(member)) continue;
    out += `${out === "" ? "{" : ","}${quoteKey(key)}:${serializeCanonical(member)}`;
  }
  return out === "" ? "{}" : `${out}}`;
}

/** Own enumerable keys in code-unit order. */
export function sortedKeys(source: object): string[] {
  const keys = Object.keys(source);
  // The default sort compares code units too; it is only slower on the small objects events are made of.
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}
