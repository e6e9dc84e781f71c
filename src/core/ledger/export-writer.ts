import type { KeyObject } from "node:crypto";
import { BridleError } from "../errors.js";
import { type Checkpoint, publicKeyOf, signCheckpoint } from "./checkpoint.js";
import { eventLine, formatExportLine, signExportHeader } from "./export.js";
import { canonicalJson, type LedgerRecord } from "./record.js";
import { ChainVerifier } from "./verify.js";

/**
 * Produces the lines of a `bridle-audit-jsonl` export (format in export.ts), without "\n".
 *
 * The exporter signs what it read, so it first makes sure what it read is intact: the records
 * are verified against the stored checkpoints as they stream, and a broken chain throws before
 * the final checkpoint is signed — an export never launders tampering into a fresh signature.
 */
export interface ExportSource {
  /** Records from_seq..to_seq in seq order (paged from the store by the caller). */
  records: AsyncIterable<LedgerRecord> | Iterable<LedgerRecord>;
  /** Stored checkpoints; those in [from_seq - 1, to_seq] are written after their record. */
  checkpoints: readonly Checkpoint[];
  from_seq: number;
  /** The head when the export started: later appends are left for the next export. */
  to_seq: number;
  /** Hash of record from_seq - 1 (GENESIS_HASH when from_seq is 1). */
  prev_hash: string;
  privateKey: KeyObject;
  /** ISO-8601; also the final checkpoint's signed_at. */
  exported_at: string;
}

export async function* exportLines(source: ExportSource): AsyncGenerator<string> {
  const { from_seq, to_seq, prev_hash, privateKey, exported_at } = source;
  const verifier = new ChainVerifier({
    publicKey: publicKeyOf(privateKey),
    anchor: { seq: from_seq - 1, hash: prev_hash },
    expectLastSeq: to_seq,
  });
  const stored = checkpointsBySeq(source.checkpoints, from_seq - 1, to_seq);
  yield formatExportLine(signExportHeader({ from_seq, to_seq, prev_hash, exported_at }, privateKey));
  yield* storedAt(from_seq - 1, stored, verifier);
  for await (const record of source.records) {
    const { hash, ...unhashed } = record;
    const text = canonicalJson(unhashed);
    verifier.pushCanonical(text, hash);
    refuseIfBroken(verifier);
    yield eventLine(record.seq, hash, text);
    yield* storedAt(record.seq, stored, verifier);
  }
  const result = verifier.finish();
  if (!result.ok) refuseIfBroken(verifier);
  const head = signCheckpoint({ seq: result.last_seq, hash: result.last_hash }, privateKey, exported_at);
  yield formatExportLine({ type: "checkpoint", ...head });
}

function* storedAt(
  seq: number,
  stored: Map<number, Checkpoint[]>,
  verifier: ChainVerifier,
): Generator<string> {
  for (const cp of stored.get(seq) ?? []) {
    verifier.pushCheckpoint(cp);
    refuseIfBroken(verifier);
    yield formatExportLine({ type: "checkpoint", ...cp });
  }
}

function refuseIfBroken(verifier: ChainVerifier): void {
  if (!verifier.failed) return;
  const result = verifier.finish();
  throw new BridleError("INTERNAL", `refusing to export a broken ledger: ${result.reason}`, {
    first_bad_seq: result.first_bad_seq,
    reason: result.reason,
  });
}

function checkpointsBySeq(
  checkpoints: readonly Checkpoint[],
  from: number,
  to: number,
): Map<number, Checkpoint[]> {
  const bySeq = new Map<number, Checkpoint[]>();
  for (const cp of checkpoints) {
    if (cp.seq < from || cp.seq > to) continue;
    const list = bySeq.get(cp.seq);
    if (list) list.push(cp);
    else bySeq.set(cp.seq, [cp]);
  }
  return bySeq;
}
