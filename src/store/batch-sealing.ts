import { GENESIS_HASH } from "../core/ledger/record.js";
import { sha256Hex } from "../core/ledger/sha256.js";
import { BOUNDS_PER_EVENT, Bound, type EncodedBatch, SEQ_SLOT } from "./event-encoding.js";
import type { ChainedBatch } from "./ledger-row.js";

/**
 * The second half of an append: fills each encoded event's chain slots (see event-encoding.ts)
 * and hashes the record, in order, after a head — in place, in the batch's own buffer. Per
 * event: the 64 hex digits of the previous hash, seq's digits, one move of the few members that
 * sort after "seq" (about 200 bytes), one SHA-256.
 *
 * A batch can be sealed again after another head (the writer does, when the head it finds
 * under the lock is not the one the batch was sealed after): the slots are rewritten and the
 * members after "seq" moved to fit the new digits. The sealed record's end is kept in the
 * batch's bounds, so the bytes always say where each record is.
 */
export function sealBatch(batch: EncodedBatch, head: { seq: number; hash: string } | null): ChainedBatch {
  const after = head ?? { seq: 0, hash: GENESIS_HASH };
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const b = batch.bounds;
  const hashes: string[] = new Array(batch.count);
  let prev = after.hash;
  for (let i = 0; i < batch.count; i++) {
    const at = i * BOUNDS_PER_EVENT;
    const seqAt = b[at + Bound.Seq]!;
    // The members after "seq": behind the whole slot as encoded, or behind the digits of the
    // last sealing.
    const afterLength = b[at + Bound.Encoded]! - (seqAt + SEQ_SLOT);
    const sealedEnd = b[at + Bound.Sealed]!;
    const afterAt = sealedEnd === 0 ? seqAt + SEQ_SLOT : sealedEnd - afterLength;
    const digits = String(after.seq + i + 1);
    // Move first: longer digits than last time would overwrite the start of what is moved.
    bytes.copyWithin(seqAt + digits.length, afterAt, afterAt + afterLength);
    // The chain members are ASCII: latin1 writes them byte for byte.
    bytes.write(digits, seqAt, "latin1");
    bytes.write(prev, b[at + Bound.PrevHash]!, "latin1");
    const end = seqAt + digits.length + afterLength;
    b[at + Bound.Sealed] = end;
    prev = sha256Hex(bytes.subarray(b[at + Bound.Start]!, end));
    hashes[i] = prev;
  }
  return { after, count: batch.count, hashes: hashes.join("") };
}

/** Record i of a sealed batch (a view of the batch's bytes). */
export function sealedRecord(batch: EncodedBatch, i: number): Uint8Array {
  const at = i * BOUNDS_PER_EVENT;
  return batch.bytes.subarray(batch.bounds[at + Bound.Start]!, batch.bounds[at + Bound.Sealed]!);
}
