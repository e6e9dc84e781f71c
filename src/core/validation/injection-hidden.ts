/**
 * Instructions hidden from a human reader: Unicode tag characters (invisible ASCII look-alikes,
 * U+E0020–U+E007E), base64 blobs and 8-bit binary strings. Each is decoded so the caller can
 * scan the plain text; what is decoded is bounded, so a hostile document cannot make this slow.
 */

export interface HiddenPayload {
  kind: "unicode-tags" | "base64" | "binary";
  /** Index in the original text where the hidden run starts. */
  index: number;
  decoded: string;
}

const MAX_PAYLOADS = 32;
const MAX_DECODED = 4_096;
const FLAG_BASE = 0x1f3f4; // 🏴 — subdivision flags legitimately use tag characters after it.

/** Runs of Unicode tag characters, decoded to the ASCII they mirror. */
export function decodeTagRuns(text: string): HiddenPayload[] {
  const found: HiddenPayload[] = [];
  let i = 0;
  while (i < text.length && found.length < MAX_PAYLOADS) {
    const cp = text.codePointAt(i) ?? 0;
    if (cp < 0xe0000 || cp > 0xe007f) {
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const start = i;
    let decoded = "";
    while (i < text.length) {
      const c = text.codePointAt(i) ?? 0;
      if (c < 0xe0000 || c > 0xe007f) break;
      if (c >= 0xe0020 && c <= 0xe007e && decoded.length < MAX_DECODED)
        decoded += String.fromCharCode(c - 0xe0000);
      i += 2;
    }
    const before = start >= 2 ? text.codePointAt(start - 2) : undefined;
    if (before !== FLAG_BASE) found.push({ kind: "unicode-tags", index: start, decoded });
  }
  return found;
}

const PRINTABLE = /^[\x20-\x7e\t\r\n\u00a0-\uffff]*$/;

function decodeBase64(b64: string): string | undefined {
  try {
    const bytes = Uint8Array.from(atob(b64.slice(0, MAX_DECODED)), (c) => c.charCodeAt(0));
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return PRINTABLE.test(text) && /[a-z]{2,} [a-z]{2,}/i.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** Base64 blobs (24+ characters) that decode to readable text with words in it. */
export function decodeBase64Runs(text: string): HiddenPayload[] {
  const found: HiddenPayload[] = [];
  const re = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{24,8192}={0,2}(?![A-Za-z0-9+/=])/g;
  for (let m = re.exec(text); m !== null && found.length < MAX_PAYLOADS; m = re.exec(text)) {
    const run = m[0].replace(/=+$/, "");
    const usable = run.slice(0, run.length - (run.length % 4));
    const decoded = decodeBase64(usable);
    if (decoded) found.push({ kind: "base64", index: m.index, decoded });
  }
  return found;
}

/** Space-separated 8-bit binary groups ("01001001 01100111 …") decoded to ASCII. */
export function decodeBinaryRuns(text: string): HiddenPayload[] {
  const found: HiddenPayload[] = [];
  const re = /(?<![01])[01]{8}(?: [01]{8}){5,4096}/g;
  for (let m = re.exec(text); m !== null && found.length < MAX_PAYLOADS; m = re.exec(text)) {
    const decoded = m[0]
      .split(" ")
      .map((byte) => String.fromCharCode(Number.parseInt(byte, 2)))
      .join("");
    if (PRINTABLE.test(decoded)) found.push({ kind: "binary", index: m.index, decoded });
  }
  return found;
}

export function hiddenPayloads(text: string): HiddenPayload[] {
  return [...decodeTagRuns(text), ...decodeBase64Runs(text), ...decodeBinaryRuns(text)];
}
