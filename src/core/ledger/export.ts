import { type KeyObject, sign } from "node:crypto";
import { z } from "zod";
import { BridleError } from "../errors.js";
import { assertEd25519, type Checkpoint, keyId, publicKeyOf, verifySignature } from "./checkpoint.js";
import { canonicalJson, type LedgerRecord } from "./record.js";

/**
 * The offline audit export, `bridle-audit-jsonl` version 1: UTF-8, one JSON object per line.
 *
 *   line 1   {"type":"export_header","format":"bridle-audit-jsonl","version":1,"public_key_id":…,
 *             "from_seq":F,"to_seq":T,"prev_hash":…,"exported_at":…,"signature":…}
 *   events   {"type":"event","hash":"<64 hex>","record":<RFC 8785 canonical JSON of the record without hash>}
 *   stored   {"type":"checkpoint","seq":…,"hash":…,"signed_at":…,"key_id":…,"signature":…}
 *            checkpoints signed when the events were written, each right after its record
 *            (one at seq F-1 may precede the first event)
 *   last     a checkpoint the exporter signs over {T, hash of record T}
 *
 * The header is signed too (Ed25519 over its canonical JSON without `signature`; the "type"
 * member keeps that message distinct from any checkpoint's `{seq, hash}`). It fixes the range
 * [F, T] and `prev_hash`, the hash of record F-1 (the genesis hash when F = 1). That is what
 * makes a partial export (`--since`) verifiable on its own: the first record's `prev_hash` is
 * trusted because a signature covers it, not because the file says so; consecutive exports
 * stitch together (one's last checkpoint hash is the next one's `prev_hash`). It is also what
 * makes truncation detectable offline even when the cut falls right after a stored checkpoint:
 * the signed `to_seq` says how many records there must be, and a checkpoint must cover T.
 *
 * An event line carries the exact bytes that were hashed, so a verifier hashes the line's
 * `record` text as is — no parse-and-re-canonicalize, the main cost of verification. A line
 * in any other JSON layout (re-indented, keys moved) still verifies, through the slow path.
 * `formatExportLine` and the generator return lines without the trailing "\n".
 */
export const EXPORT_FORMAT = "bridle-audit-jsonl";
export const EXPORT_VERSION = 1;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits");
const seqNumber = z.number().int().nonnegative();

const HeaderSchema = z.strictObject({
  type: z.literal("export_header"),
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  public_key_id: hex64,
  from_seq: z.number().int().positive(),
  to_seq: seqNumber,
  prev_hash: hex64,
  exported_at: z.string().min(1),
  signature: z.string().min(1),
});

const CheckpointLineSchema = z.strictObject({
  type: z.literal("checkpoint"),
  seq: seqNumber,
  hash: hex64,
  signed_at: z.string(),
  key_id: hex64,
  signature: z.string().min(1),
});

const EventLineSchema = z.strictObject({
  type: z.literal("event"),
  hash: hex64,
  record: z
    .looseObject({ seq: z.number().int().positive(), prev_hash: hex64 })
    .refine((r) => !("hash" in r), "the record must not carry hash: it sits beside it on the line"),
});

const LineSchema = z.discriminatedUnion("type", [HeaderSchema, CheckpointLineSchema, EventLineSchema]);

export type ExportHeader = z.infer<typeof HeaderSchema>;
export type ExportLine =
  | ExportHeader
  | ({ type: "checkpoint" } & Checkpoint)
  | { type: "event"; record: LedgerRecord };

export interface ExportRange {
  from_seq: number;
  to_seq: number;
  /** Hash of record from_seq - 1; GENESIS_HASH when from_seq is 1. */
  prev_hash: string;
  exported_at: string;
}

/** The fixed start of a fast-path event line; the 64-hex hash and RECORD_SEPARATOR follow. */
export const EVENT_PREFIX = '{"type":"event","hash":"';
export const RECORD_SEPARATOR = '","record":';

export function formatExportLine(line: ExportLine): string {
  switch (line.type) {
    case "event": {
      const { hash, ...unhashed } = line.record;
      return eventLine(line.record.seq, hash, canonicalJson(unhashed));
    }
    case "checkpoint":
      return JSON.stringify({
        type: "checkpoint",
        seq: line.seq,
        hash: line.hash,
        signed_at: line.signed_at,
        key_id: line.key_id,
        signature: line.signature,
      });
    case "export_header":
      return JSON.stringify(line);
  }
}

/** An event line from the record's canonical text (the hash preimage), when the caller has it. */
export function eventLine(seq: number, hash: string, canonicalText: string): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new BridleError("BAD_REQUEST", `record ${seq} has no valid hash`);
  return `${EVENT_PREFIX}${hash}${RECORD_SEPARATOR}${canonicalText}}`;
}

/** Parses and validates one line; errors name the line number and the bad field. */
export function parseExportLine(line: string, lineNumber = 1): ExportLine {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new BridleError("VALIDATION_FAILED", `line ${lineNumber}: not valid JSON`);
  }
  const parsed = LineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw new BridleError(
      "VALIDATION_FAILED",
      `line ${lineNumber}: ${where}${issue?.message ?? "invalid line"}`,
    );
  }
  const value = parsed.data;
  if (value.type !== "event") return value;
  return { type: "event", record: { ...value.record, hash: value.hash } as unknown as LedgerRecord };
}

function headerMessage(header: Omit<ExportHeader, "signature">): Buffer {
  return Buffer.from(canonicalJson(header), "utf8");
}

export function signExportHeader(range: ExportRange, privateKey: KeyObject): ExportHeader {
  assertEd25519(privateKey, "the signing key");
  const unsigned = {
    type: "export_header" as const,
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    public_key_id: keyId(publicKeyOf(privateKey)),
    from_seq: range.from_seq,
    to_seq: range.to_seq,
    prev_hash: range.prev_hash,
    exported_at: range.exported_at,
  } satisfies Omit<ExportHeader, "signature">;
  const signature = sign(null, headerMessage(unsigned), privateKey).toString("base64");
  return { ...unsigned, signature };
}

/** Why the header does not verify under `publicKey`, or null when it does. */
export function exportHeaderProblem(header: ExportHeader, publicKey: KeyObject): string | null {
  if (header.public_key_id !== keyId(publicKey)) {
    return `the export was signed by another key (public_key_id ${header.public_key_id.slice(0, 16)}, this key is ${keyId(publicKey).slice(0, 16)})`;
  }
  if (header.to_seq < header.from_seq - 1) return "the export header's to_seq lies before its from_seq";
  const { signature, ...unsigned } = header;
  if (!verifySignature(headerMessage(unsigned), signature, publicKey))
    return "the export header has an invalid signature";
  return null;
}
