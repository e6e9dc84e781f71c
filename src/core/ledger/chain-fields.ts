/**
 * Reads a record's top-level `seq` and `prev_hash` straight from its canonical JSON text,
 * without JSON.parse — which costs several times the SHA-256 of the same bytes and was the
 * bulk of offline verification. Only the object's own members count: the scanner tracks
 * nesting and skips strings whole, so a `"seq"` key inside tool arguments or event data (which
 * callers control) is never mistaken for the record's.
 *
 * Why it is safe to trust without a full parse: a verifier only accepts text whose SHA-256 is
 * linked, record by record, to a signed checkpoint. Working back from that checkpoint, each
 * accepted text must be the signer's own canonical preimage (or SHA-256 collides), and on a
 * canonical record this scanner is exact. Garbage can at worst make verification fail.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const HEX64 = /^[0-9a-f]{64}$/;
const DIGITS = /^(?:0|[1-9][0-9]{0,15})/;

export interface ChainFields {
  seq: number;
  prev_hash: string;
}

export function chainFields(text: string): ChainFields | null {
  if (text.charCodeAt(0) !== OPEN_BRACE) return null;
  let depth = 0;
  let seq: number | null = null;
  let prev: string | null = null;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c !== QUOTE) {
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
      i++;
      continue;
    }
    // Strings are skipped whole with indexOf: most of a record's bytes are inside them.
    const end = stringEnd(text, i);
    if (end < 0) return null;
    if (depth === 1 && text.charCodeAt(end + 1) === COLON) {
      const field = keyAt(text, i, end);
      if (field === "seq") {
        if (seq !== null) return null;
        seq = seqAt(text, end + 2);
        if (seq === null) return null;
      } else if (field === "prev_hash") {
        if (prev !== null) return null;
        prev = hashAt(text, end + 2);
        if (prev === null) return null;
      }
    }
    i = end + 1;
  }
  return seq !== null && prev !== null && depth === 0 ? { seq, prev_hash: prev } : null;
}

/** Index of the quote closing the string that opens at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let j = text.indexOf('"', start + 1);
  // Escaped only when preceded by an odd run of backslashes; most strings have none.
  while (j > 0 && text.charCodeAt(j - 1) === BACKSLASH) {
    let k = j - 2;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
  return j;
}

function keyAt(text: string, open: number, close: number): "seq" | "prev_hash" | null {
  const length = close - open - 1;
  if (length !== 3 && length !== 9) return null;
  if (length === 3 && text.startsWith("seq", open + 1)) return "seq";
  if (length === 9 && text.startsWith("prev_hash", open + 1)) return "prev_hash";
  return null;
}

function seqAt(text: string, at: number): number | null {
  const match = DIGITS.exec(text.slice(at, at + 17));
  if (!match) return null;
  const value = Number(match[0]);
  return Number.isSafeInteger(value) ? value : null;
}

function hashAt(text: string, at: number): string | null {
  if (text.charCodeAt(at) !== QUOTE || text.charCodeAt(at + 65) !== QUOTE) return null;
  const value = text.slice(at + 1, at + 65);
  return HEX64.test(value) ? value : null;
}
