import { GENESIS_HASH } from "../core/ledger/record.js";
import { sha256Hex } from "../core/ledger/sha256.js";
import { BOUNDS_PER_EVENT, type EncodedBatch } from "./event-encoding.js";
import type { ChainedBatch } from "./ledger-row.js";

/**
 * The second half of an append: splices each encoded event's chain members in (see
 * event-encoding.ts) and hashes the result, in order, after a head. A few byte copies and one
 * SHA-256 per event; the records land one after the other in one buffer.
 */
export interface SealedBatch extends ChainedBatch {
  /** The records' bytes, back to back: record i is [ends[i - 1] (0 for the first), ends[i]). */
  readonly records: Uint8Array;
  readonly ends: Int32Array;
}

/** The chain members' bytes beyond the encoded record: `"prev_hash":"<64 hex>"` and `"seq":<≤ 16 digits>`. */
const CHAIN_BYTES = '"prev_hash":""'.length + 64 + '"seq":'.length + 16;

export function sealBatch(batch: EncodedBatch, head: { seq: number; hash: string } | null): SealedBatch {
  const after = head ?? { seq: 0, hash: GENESIS_HASH };
  const src = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const b = batch.bounds;
  // allocUnsafeSlow: a buffer of its own, which can be transferred to another thread.
  const out = Buffer.allocUnsafeSlow(Math.max(1, src.length + batch.count * CHAIN_BYTES));
  const ends = new Int32Array(batch.count);
  const hashes: string[] = new Array(batch.count);
  let prev = after.hash;
  let pos = 0;
  for (let i = 0; i < batch.count; i++) {
    const at = i * BOUNDS_PER_EVENT;
    const start = pos;
    // The chain members are ASCII: latin1 writes them byte for byte.
    pos += src.copy(out, pos, b[at]!, b[at + 1]!);
    pos += out.write(`"prev_hash":"${prev}"`, pos, "latin1");
    pos += src.copy(out, pos, b[at + 1]!, b[at + 2]!);
    pos += out.write(`"seq":${after.seq + i + 1}`, pos, "latin1");
    pos += src.copy(out, pos, b[at + 2]!, b[at + 3]!);
    ends[i] = pos;
    prev = sha256Hex(out.subarray(start, pos));
    hashes[i] = prev;
  }
  return { after, count: batch.count, hashes: hashes.join(""), records: out.subarray(0, pos), ends };
}

/** Record i of a sealed batch (a view). */
export function sealedRecord(sealed: SealedBatch, i: number): Uint8Array {
  return sealed.records.subarray(i === 0 ? 0 : sealed.ends[i - 1]!, sealed.ends[i]!);
}
