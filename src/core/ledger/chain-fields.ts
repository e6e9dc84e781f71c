/**
 * Reads a record's top-level `seq` and `prev_hash` straight from the UTF-8 bytes of its
 * canonical JSON, without decoding or JSON.parse — each of which costs several times the
 * SHA-256 of the same bytes, and together were the bulk of offline verification. Only the
 * object's own members count: the scanner tracks nesting and skips strings whole, so a "seq"
 * key inside tool arguments or event data (which callers control) is never taken for the
 * record's. Working on bytes is exact: in UTF-8 every byte of a multi-byte character is ≥ 0x80,
 * so quotes, backslashes and brackets can only be themselves.
 *
 * Why it is safe to trust without a full parse: a verifier only accepts bytes whose SHA-256 is
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
const ZERO = 0x30;
const NINE = 0x39;
const SEQ_KEY = Buffer.from("seq");
const PREV_KEY = Buffer.from("prev_hash");
const HEX64 = /^[0-9a-f]{64}$/;

export interface ChainFields {
  seq: number;
  prev_hash: string;
}

export function chainFields(bytes: Buffer): ChainFields | null {
  if (bytes[0] !== OPEN_BRACE) return null;
  let depth = 0;
  let seq: number | null = null;
  let prev: string | null = null;
  const length = bytes.length;
  let i = 0;
  while (i < length) {
    const c = bytes[i] as number;
    if (c !== QUOTE) {
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
      i++;
      continue;
    }
    // Strings are skipped whole with indexOf (memchr): most of a record's bytes are inside them.
    const end = stringEnd(bytes, i);
    if (end < 0) return null;
    if (depth === 1 && bytes[end + 1] === COLON) {
      const field = keyAt(bytes, i, end);
      if (field === "seq") {
        if (seq !== null) return null;
        seq = seqAt(bytes, end + 2);
        if (seq === null) return null;
      } else if (field === "prev_hash") {
        if (prev !== null) return null;
        prev = hashAt(bytes, end + 2);
        if (prev === null) return null;
      }
    }
    i = end + 1;
  }
  return seq !== null && prev !== null && depth === 0 ? { seq, prev_hash: prev } : null;
}

/** Index of the quote closing the string that opens at `start`, or -1. */
function stringEnd(bytes: Buffer, start: number): number {
  let j = bytes.indexOf(QUOTE, start + 1);
  // Escaped only when preceded by an odd run of backslashes; most strings have none.
  while (j > 0 && bytes[j - 1] === BACKSLASH) {
    let k = j - 2;
    while (bytes[k] === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j;
    j = bytes.indexOf(QUOTE, j + 1);
  }
  return j;
}

function keyAt(bytes: Buffer, open: number, close: number): "seq" | "prev_hash" | null {
  const length = close - open - 1;
  if (length === 3 && bytes.compare(SEQ_KEY, 0, 3, open + 1, close) === 0) return "seq";
  if (length === 9 && bytes.compare(PREV_KEY, 0, 9, open + 1, close) === 0) return "prev_hash";
  return null;
}

/** A non-negative integer without leading zeros, as canonical JSON writes a seq. */
function seqAt(bytes: Buffer, at: number): number | null {
  let value = 0;
  let i = at;
  while (i < bytes.length && (bytes[i] as number) >= ZERO && (bytes[i] as number) <= NINE) {
    value = value * 10 + ((bytes[i] as number) - ZERO);
    i++;
  }
  const digits = i - at;
  if (digits === 0 || (digits > 1 && bytes[at] === ZERO) || !Number.isSafeInteger(value)) return null;
  return value;
}

function hashAt(bytes: Buffer, at: number): string | null {
  if (bytes[at] !== QUOTE || bytes[at + 65] !== QUOTE) return null;
  const value = bytes.toString("latin1", at + 1, at + 65);
  return HEX64.test(value) ? value : null;
}
