import { classifyKey, identifierWords } from "./key-words.js";
import { redactSecrets } from "./secrets.js";

/**
 * Redaction of structured data before it is logged, hashed into the audit ledger or shown:
 * a deep copy in which every string has its secrets replaced and every value under a
 * credential-named key is replaced whole. Safe on hostile input: cycles and excessive depth end
 * in markers instead of a stack overflow.
 */

export const REDACTED = "[REDACTED]";
export const CIRCULAR = "[CIRCULAR]";
export const TRUNCATED = "[TRUNCATED]";
export const MAX_DEPTH = 32;

/** Key names whose values are always hidden, compared without case, "_" or "-". */
const SENSITIVE_KEYS = [
  "password",
  "passwd",
  "secret",
  "token",
  "apikey",
  "accesskey",
  "secretaccesskey",
  "privatekey",
  "authorization",
  "cookie",
  "sessiontoken",
  "clientsecret",
];

/**
 * True for keys such as "password", "API-Key", "clientSecret", "x-auth-token", "db_password":
 * the listed names in any casing and separator style, and longer names ending in one of them
 * that also read as a credential ("github_token" yes, "token_count" no).
 */
export function isSensitiveKey(key: string): boolean {
  const compact = identifierWords(key).join("");
  if (SENSITIVE_KEYS.includes(compact)) return true;
  return SENSITIVE_KEYS.some((k) => compact.endsWith(k)) && classifyKey(key) !== undefined;
}

/** Copies own enumerable entries; "__proto__" is defined as a plain key, never as a prototype. */
function copyEntries(value: object, map: (key: string, item: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, key, {
      value: map(key, item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function redactValue(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === "string") return redactSecrets(value).text;
  if (typeof value === "function" || typeof value === "symbol") return undefined;
  if (value === null || typeof value !== "object") return value;
  if (ancestors.has(value)) return CIRCULAR;
  if (depth >= MAX_DEPTH) return TRUNCATED;
  // Dates and other objects that define their JSON form are redacted as that form (one level
  // deeper, so a toJSON that returns its own object still ends at the depth limit).
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function" && !Array.isArray(value)) {
    return redactValue(toJSON.call(value), depth + 1, ancestors);
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, ancestors));
    return copyEntries(value, (key, item) =>
      isSensitiveKey(key) && item !== null && item !== undefined
        ? REDACTED
        : redactValue(item, depth + 1, ancestors),
    );
  } finally {
    ancestors.delete(value);
  }
}

/**
 * A deep copy of JSON-like `value` with secrets removed. Strings pass through redactSecrets;
 * values under sensitive keys become "[REDACTED]"; a reference back to an enclosing object
 * becomes "[CIRCULAR]" and anything nested deeper than 32 levels "[TRUNCATED]". Functions and
 * symbols are dropped (they have no JSON form), class instances are copied as plain objects,
 * and a "__proto__" key from parsed JSON stays an ordinary key.
 */
export function redactDeep<T>(value: T): T {
  return redactValue(value, 0, new Set()) as T;
}
