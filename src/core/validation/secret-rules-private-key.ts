import { isPlaceholder } from "./placeholder.js";
import { regexRule, type SecretDetector, type SecretMatch } from "./secret-detector.js";

/**
 * Private keys: PEM blocks (RSA, EC, DSA, OPENSSH, PGP, ENCRYPTED, PKCS#8), PuTTY key files and
 * base64-wrapped PEM. A bare "-----BEGIN PRIVATE KEY-----" header with "..." or "xxx" as body
 * is documentation, so a block counts only when its body holds real key material.
 */

const BEGIN = /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const END = /-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
/** Largest body we pair a header with (an RSA-8192 PEM is about 6.5 kB). */
const MAX_BODY = 16_000;
/** Fewest base64 characters that make a body key material rather than a placeholder. */
const MIN_KEY_CHARS = 64;

function spans(re: RegExp, text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push([m.index, m.index + m[0].length]);
  return out;
}

/** The base64 payload of a PEM body: header lines, quotes, "+" joins and "\n" escapes removed. */
function keyMaterial(body: string): string {
  return body
    .replace(/\\[rn]/g, "\n")
    .split("\n")
    .filter((line) => !/^\s*["']?[A-Za-z-]{2,30}:/.test(line))
    .join("")
    .replace(/[^A-Za-z0-9+/=]/g, "");
}

/** Where an unterminated body ends: after its last base64-looking line. */
function unterminatedEnd(text: string, from: number, limit: number): number {
  const re = /[A-Za-z0-9+/=\\"' \t\r\n]{1,16000}/y;
  re.lastIndex = from;
  const m = re.exec(text);
  return Math.min(limit, m ? from + m[0].length : from);
}

function scanPem(text: string): SecretMatch[] {
  const begins = spans(BEGIN, text);
  const ends = spans(END, text);
  const found: SecretMatch[] = [];
  let e = 0;
  for (let i = 0; i < begins.length; i++) {
    const [start, headerEnd] = begins[i] as [number, number];
    const nextBegin = begins[i + 1]?.[0] ?? text.length;
    while (e < ends.length && (ends[e] as [number, number])[0] < headerEnd) e++;
    const end = ends[e];
    const closed = end !== undefined && end[0] < nextBegin && end[0] - headerEnd <= MAX_BODY;
    const bodyEnd = closed
      ? end[0]
      : unterminatedEnd(text, headerEnd, Math.min(nextBegin, headerEnd + MAX_BODY));
    const material = keyMaterial(text.slice(headerEnd, bodyEnd));
    if (material.length < MIN_KEY_CHARS || isPlaceholder(material)) continue;
    found.push({ rule: "private-key", start, end: closed ? end[1] : bodyEnd });
  }
  return found;
}

/** Decodes the start of a base64 string; undefined when it is not valid base64. */
function decodePrefix(b64: string, chars: number): string | undefined {
  try {
    return atob(b64.slice(0, chars - (chars % 4)));
  } catch {
    return undefined;
  }
}

export const PRIVATE_KEY_RULES: readonly SecretDetector[] = [
  { id: "private-key", category: "private_key", scan: scanPem },
  regexRule({
    id: "private-key",
    category: "private_key",
    pattern: /Private-Lines: [0-9]{1,3}\r?\n[A-Za-z0-9+/=\r\n]{64,8000}/,
    accept: (s) => !isPlaceholder(s.replace(/\s/g, "")),
  }),
  regexRule({
    // "LS0tLS1CRUdJTi" is base64 for "-----BEGIN"; keys are often stored base64-wrapped.
    id: "private-key",
    category: "private_key",
    pattern: /(?<![A-Za-z0-9+/])LS0tLS1CRUdJTi[A-Za-z0-9+/]{100,12000}={0,2}/,
    accept: (s) => decodePrefix(s, 80)?.includes("PRIVATE KEY") === true,
  }),
];
