/**
 * Canonical text for injection matching: NFKC (fullwidth and styled letters become ASCII),
 * invisible characters removed, Latin-lookalike Cyrillic/Greek letters inside Latin words mapped
 * back, lower case, whitespace runs collapsed. `origin[i]` is the index in the original text of
 * normalized character i, so matches can point at what the user actually sent.
 *
 * Written over code units and typed buffers, with whole runs normalized at once when that keeps
 * a one-to-one mapping: scanning a megabyte stays well under a second.
 */

export interface NormalizedText {
  text: string;
  origin: Int32Array;
  /** Invisible characters removed (zero-width, bidi controls, tags, variation selectors). */
  invisibleCount: number;
  /** Invisible characters found between two letters, the typical way to split a trigger word. */
  splitWordCount: number;
  /** Words mixing Latin with Cyrillic or Greek letters (homoglyph substitution). */
  mixedScriptWords: number;
}

/** Zero-width, joiner, bidi control, soft hyphen, variation selector and Unicode tag ranges. */
export function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2069) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0000 && cp <= 0xe007f) ||
    cp === 0xfeff ||
    cp === 0x00ad ||
    cp === 0x180e ||
    cp === 0x034f ||
    cp === 0x3164
  );
}

/** Cyrillic and Greek letters that render like Latin ones. */
const CONFUSABLES: Record<string, string> = {
  а: "a",
  в: "b",
  е: "e",
  ё: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  і: "i",
  ї: "i",
  ј: "j",
  ѕ: "s",
  ԁ: "d",
  ԛ: "q",
  ԝ: "w",
  ɡ: "g",
  α: "a",
  β: "b",
  ε: "e",
  ι: "i",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
  γ: "y",
};

const MARK = /\p{M}/u;
const LETTER = /\p{L}/u;
const SPACE = /\s/;
const MAX_RUN = 1024;

/** Growable code-unit buffer with the original offset of every unit. */
class Output {
  codes = new Uint16Array(1024);
  origin = new Int32Array(1024);
  length = 0;

  push(code: number, at: number): void {
    if (this.length === this.codes.length) {
      const codes = new Uint16Array(this.codes.length * 2);
      codes.set(this.codes);
      this.codes = codes;
      const origin = new Int32Array(this.origin.length * 2);
      origin.set(this.origin);
      this.origin = origin;
    }
    this.codes[this.length] = code;
    this.origin[this.length] = at;
    this.length++;
  }

  /** Appends one unit, folding any whitespace run into a single space or newline. */
  emit(code: number, at: number): void {
    const isSpace =
      code === 32 ||
      code === 10 ||
      code === 9 ||
      code === 13 ||
      (code > 127 && SPACE.test(String.fromCharCode(code)));
    if (!isSpace) {
      this.push(code, at);
      return;
    }
    const last = this.length > 0 ? this.codes[this.length - 1] : 32;
    if (last === 32 || last === 10) {
      if (code === 10) this.codes[this.length - 1] = 10;
      return;
    }
    this.push(code === 10 ? 10 : 32, at);
  }

  toString(): string {
    let text = "";
    for (let i = 0; i < this.length; i += 8192) {
      text += String.fromCharCode(...this.codes.subarray(i, Math.min(this.length, i + 8192)));
    }
    return text;
  }
}

/** Normalizes a run of non-ASCII text, one-to-one when NFKC keeps its length, else per cluster. */
function emitRun(out: Output, input: string, start: number, end: number): void {
  const run = input.slice(start, end);
  const whole = run.normalize("NFKC").toLowerCase();
  if (whole.length === run.length) {
    for (let k = 0; k < whole.length; k++) out.emit(whole.charCodeAt(k), start + k);
    return;
  }
  let i = start;
  while (i < end) {
    let next = i + ((input.codePointAt(i) ?? 0) > 0xffff ? 2 : 1);
    while (next < end && MARK.test(input[next] ?? "")) next++;
    const unit = input.slice(i, next).normalize("NFKC").toLowerCase();
    for (let k = 0; k < unit.length; k++) out.emit(unit.charCodeAt(k), i);
    i = next;
  }
}

interface Counts {
  invisible: number;
  splitWords: number;
}

/** Skips an invisible character at `i`, counting it; returns its width or 0 if visible. */
function skipInvisible(input: string, i: number, counts: Counts): number {
  const cp = input.codePointAt(i) ?? 0;
  if (!isInvisible(cp)) return 0;
  const width = cp > 0xffff ? 2 : 1;
  counts.invisible++;
  if (LETTER.test(input[i - 1] ?? "") && LETTER.test(input[i + width] ?? "")) counts.splitWords++;
  return width;
}

/** Maps lookalike letters back to Latin inside words that also contain Latin letters. */
function unmixScripts(out: Output): number {
  let mixed = 0;
  let i = 0;
  while (i < out.length) {
    let hasLatin = false;
    let hasLookalike = false;
    let j = i;
    for (; j < out.length; j++) {
      const c = out.codes[j] ?? 0;
      if (c >= 97 && c <= 122) hasLatin = true;
      else if (c >= 0x370 && c <= 0x4ff) hasLookalike = true;
      else if (!(c > 127 && LETTER.test(String.fromCharCode(c)))) break;
    }
    if (hasLatin && hasLookalike) {
      mixed++;
      for (let k = i; k < j; k++) {
        const sub = CONFUSABLES[String.fromCharCode(out.codes[k] ?? 0)];
        if (sub) out.codes[k] = sub.charCodeAt(0);
      }
    }
    i = j + 1;
  }
  return mixed;
}

export function normalizeForScan(input: string): NormalizedText {
  const out = new Output();
  const counts: Counts = { invisible: 0, splitWords: 0 };
  let i = 0;
  while (i < input.length) {
    const code = input.charCodeAt(i);
    const nextCode = input.charCodeAt(i + 1);
    if (code < 128 && !(nextCode >= 0x300 && MARK.test(input[i + 1] ?? ""))) {
      out.emit(code >= 65 && code <= 90 ? code + 32 : code, i);
      i++;
      continue;
    }
    const skipped = skipInvisible(input, i, counts);
    if (skipped > 0) {
      i += skipped;
      continue;
    }
    // A run of visible non-ASCII text (with any ASCII letter that a mark attaches to).
    let end = i + 1;
    while (end < input.length && end - i < MAX_RUN) {
      const c = input.charCodeAt(end);
      if ((c < 128 && !(input.charCodeAt(end + 1) >= 0x300)) || isInvisible(input.codePointAt(end) ?? 0))
        break;
      end++;
    }
    if (end < input.length && (input.charCodeAt(end) & 0xfc00) === 0xdc00) end++;
    emitRun(out, input, i, end);
    i = end;
  }
  const mixedScriptWords = unmixScripts(out);
  return {
    text: out.toString(),
    origin: out.origin.slice(0, out.length),
    invisibleCount: counts.invisible,
    splitWordCount: counts.splitWords,
    mixedScriptWords,
  };
}
