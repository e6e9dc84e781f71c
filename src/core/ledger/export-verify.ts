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
    if (this.chain.failed) {
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
 * Verifies an export given as raw chunks (a file read stream): splitting lines here instead of
 * through readline keeps the per-line cost to the verification itself.
 */
export async function verifyExportChunks(
  chunks: AsyncIterable<Uint8Array | string>,
  publicKey: KeyObject,
  onProgress?: ProgressListener,
): Promise<ExportVerifyResult> {
  const verifier = new ExportVerifier(publicKey, onProgress);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let carry = "";
  try {
    for await (const chunk of chunks) {
      const text = carry + (typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
      const lines = text.split("\n");
      carry = lines.pop() ?? "";
      if (!lines.every((line) => verifier.push(line))) return verifier.finish();
    }
    carry += decoder.decode();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    verifier.abort("the export is not valid UTF-8");
    return verifier.finish();
  }
  if (carry !== "") verifier.push(carry);
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
