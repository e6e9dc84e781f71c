import type { KeyObject } from "node:crypto";
import { isBridleError } from "../errors.js";
import { assertEd25519 } from "./checkpoint.js";
import {
  EVENT_PREFIX,
  type ExportHeader,
  type ExportLine,
  exportHeaderProblem,
  parseExportLine,
  RECORD_SEPARATOR,
} from "./export.js";
import { GENESIS_HASH } from "./record.js";
import { ChainVerifier, type VerifyResult } from "./verify.js";

/**
 * Offline verification of a `bridle-audit-jsonl` export (see export.ts for the format and why
 * it is sound), streaming: memory stays flat however long the file, and reading stops at the
 * first failure. Needs only the lines and the public key — an auditor runs it without Bridle.
 */
export interface ExportVerifyResult extends VerifyResult {
  header: ExportHeader | null;
  /** The 1-based line on which verification failed, when one did. */
  line: number | null;
}

export interface ExportProgress {
  records: number;
  last_seq: number;
  /** The signed header's range, for a progress bar. */
  from_seq: number;
  to_seq: number;
}

export type ProgressListener = (progress: ExportProgress) => void;

const PROGRESS_EVERY = 8192;
const HASH_END = EVENT_PREFIX.length + 64;
const RECORD_START = HASH_END + RECORD_SEPARATOR.length;
const HEX64 = /^[0-9a-f]{64}$/;

/** Line-at-a-time form: `push` each line (false once verification has failed), then `finish`. */
export class ExportVerifier {
  private header: ExportHeader | null = null;
  private chain: ChainVerifier | null = null;
  private lineNumber = 0;
  private failedAt: { line: number; reason: string | null } | null = null;
  private reportedAt = 0;

  constructor(
    private readonly publicKey: KeyObject,
    private readonly onProgress?: ProgressListener,
  ) {
    assertEd25519(publicKey, "the public key");
  }

  push(raw: string): boolean {
    if (this.failedAt) return false;
    this.lineNumber++;
    const line = raw.trim();
    if (line === "") return true;
    if (!this.chain) return this.start(line);
    pushLine(this.chain, line, this.lineNumber);
    return this.afterLine(this.chain);
  }

  /**
   * One line as raw UTF-8 bytes (no "\n"). An event line in the exporter's layout is hashed
   * and scanned as bytes, never decoded; any other line is decoded and read as text.
   */
  pushBytes(raw: Buffer): boolean {
    if (this.failedAt) return false;
    const line = trimBytes(raw);
    const fast = this.chain ? fastEventBytes(line) : null;
    if (!this.chain || !fast) {
      const text = decodeUtf8(line);
      if (text === null) {
        this.abort("not valid UTF-8");
        return false;
      }
      return this.push(text);
    }
    this.lineNumber++;
    this.chain.pushCanonical(fast.record, fast.hash);
    return this.afterLine(this.chain);
  }

  private afterLine(chain: ChainVerifier): boolean {
    if (chain.failed) {
      this.failedAt = { line: this.lineNumber, reason: null };
      return false;
    }
    this.report(false);
    return true;
  }

  /** Stops with a failure that is not about any one line's content (unreadable input). */
  abort(reason: string): void {
    if (this.failedAt) return;
    const line = this.lineNumber + 1;
    if (this.chain) this.chain.abort(`line ${line}: ${reason}`);
    this.failedAt = { line, reason: `line ${line}: ${reason}` };
  }

  finish(): ExportVerifyResult {
    if (!this.chain || !this.header) {
      const reason = this.failedAt?.reason ?? "the export is empty: no header line";
      return headerFailure(reason, this.failedAt?.line ?? Math.max(this.lineNumber, 1));
    }
    const result = this.chain.finish();
    this.report(true);
    return {
      ...result,
      header: this.header,
      line: result.ok ? null : (this.failedAt?.line ?? this.lineNumber),
    };
  }

  private start(line: string): boolean {
    const start = startFrom(line, this.lineNumber, this.publicKey);
    if ("reason" in start) {
      this.failedAt = { line: this.lineNumber, reason: start.reason };
      return false;
    }
    this.header = start.header;
    this.chain = start.verifier;
    this.reportedAt = start.header.from_seq - 1;
    return true;
  }

  private report(final: boolean): void {
    if (!this.onProgress || !this.chain || !this.header) return;
    const lastSeq = this.chain.nextSeq - 1;
    if (!final && lastSeq - this.reportedAt < PROGRESS_EVERY) return;
    this.reportedAt = lastSeq;
    const { from_seq, to_seq } = this.header;
    this.onProgress({ records: lastSeq - from_seq + 1, last_seq: lastSeq, from_seq, to_seq });
  }
}

/** Verifies an export given line by line (readline, an array). */
export async function verifyExportLines(
  lines: AsyncIterable<string> | Iterable<string>,
  publicKey: KeyObject,
  onProgress?: ProgressListener,
): Promise<ExportVerifyResult> {
  const verifier = new ExportVerifier(publicKey, onProgress);
  if (Symbol.iterator in lines) {
    for (const line of lines) if (!verifier.push(line)) break;
  } else {
    for await (const line of lines) if (!verifier.push(line)) break;
  }
  return verifier.finish();
}

/**
 * Verifies an export given as raw chunks (a file read stream). Lines are split on bytes and
 * event lines are never decoded (see ExportVerifier.pushBytes): the fastest way through a file.
 */
export async function verifyExportChunks(
  chunks: AsyncIterable<Uint8Array | string>,
  publicKey: KeyObject,
  onProgress?: ProgressListener,
): Promise<ExportVerifyResult> {
  const verifier = new ExportVerifier(publicKey, onProgress);
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const bytes =
      typeof chunk === "string"
        ? Buffer.from(chunk, "utf8")
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const data = carry.length > 0 ? Buffer.concat([carry, bytes]) : bytes;
    let start = 0;
    for (let end = data.indexOf(NEWLINE); end >= 0; end = data.indexOf(NEWLINE, start)) {
      if (!verifier.pushBytes(data.subarray(start, end))) return verifier.finish();
      start = end + 1;
    }
    // Copied: the caller may reuse the chunk's memory once the next one is asked for.
    carry = Buffer.from(data.subarray(start));
  }
  if (carry.length > 0) verifier.pushBytes(carry);
  return verifier.finish();
}

type Start = { header: ExportHeader; verifier: ChainVerifier } | { reason: string };

function startFrom(line: string, lineNumber: number, publicKey: KeyObject): Start {
  let parsed: ExportLine;
  try {
    parsed = parseExportLine(line, lineNumber);
  } catch (error) {
    return { reason: isBridleError(error) ? error.message : `line ${lineNumber}: unreadable` };
  }
  if (parsed.type !== "export_header") {
    return { reason: `line ${lineNumber}: the export does not start with its header` };
  }
  const problem = exportHeaderProblem(parsed, publicKey);
  if (problem) return { reason: `line ${lineNumber}: ${problem}` };
  const verifier = new ChainVerifier({
    publicKey,
    anchor: { seq: parsed.from_seq - 1, hash: parsed.prev_hash },
    expectLastSeq: parsed.to_seq,
    requireHeadCheckpoint: true,
  });
  return { header: parsed, verifier };
}

function pushLine(verifier: ChainVerifier, line: string, lineNumber: number): void {
  const fast = fastEvent(line);
  if (fast) {
    verifier.pushCanonical(fast.text, fast.hash);
    return;
  }
  let parsed: ExportLine;
  try {
    parsed = parseExportLine(line, lineNumber);
  } catch (error) {
    verifier.abort(isBridleError(error) ? error.message : `line ${lineNumber}: unreadable`);
    return;
  }
  if (parsed.type === "event") verifier.push(parsed.record);
  else if (parsed.type === "checkpoint") verifier.pushCheckpoint(parsed);
  else verifier.abort(`line ${lineNumber}: a second export header`);
}

/** An event line exactly as the exporter writes it: the hashed bytes are a slice of the line. */
function fastEvent(line: string): { hash: string; text: string } | null {
  if (!line.startsWith(EVENT_PREFIX) || !line.endsWith("}")) return null;
  if (!line.startsWith(RECORD_SEPARATOR, HASH_END)) return null;
  const hash = line.slice(EVENT_PREFIX.length, HASH_END);
  if (!HEX64.test(hash)) return null;
  return { hash, text: line.slice(RECORD_START, -1) };
}

const NEWLINE = 0x0a;
const EVENT_PREFIX_BYTES = Buffer.from(EVENT_PREFIX, "latin1");
const RECORD_SEPARATOR_BYTES = Buffer.from(RECORD_SEPARATOR, "latin1");
const CLOSE_BRACE = 0x7d;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function fastEventBytes(line: Buffer): { hash: string; record: Buffer } | null {
  if (line.length <= RECORD_START + 1 || line[line.length - 1] !== CLOSE_BRACE) return null;
  if (line.compare(EVENT_PREFIX_BYTES, 0, EVENT_PREFIX_BYTES.length, 0, EVENT_PREFIX.length) !== 0)
    return null;
  if (line.compare(RECORD_SEPARATOR_BYTES, 0, RECORD_SEPARATOR_BYTES.length, HASH_END, RECORD_START) !== 0) {
    return null;
  }
  const hash = line.toString("latin1", EVENT_PREFIX.length, HASH_END);
  if (!HEX64.test(hash)) return null;
  return { hash, record: line.subarray(RECORD_START, line.length - 1) };
}

/** Without surrounding ASCII whitespace (a CRLF file's "\r", stray spaces). */
function trimBytes(line: Buffer): Buffer {
  let start = 0;
  let end = line.length;
  while (start < end && isSpace(line[start] as number)) start++;
  while (end > start && isSpace(line[end - 1] as number)) end--;
  return start === 0 && end === line.length ? line : line.subarray(start, end);
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a;
}

function decodeUtf8(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function headerFailure(reason: string, line: number): ExportVerifyResult {
  return {
    ok: false,
    count: 0,
    first_bad_seq: null,
    reason,
    checkpoints_verified: 0,
    last_seq: 0,
    last_hash: GENESIS_HASH,
    signatures_checked: true,
    covered_seq: 0,
    header: null,
    line,
  };
}
