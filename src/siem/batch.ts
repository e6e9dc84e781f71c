import { BridleError } from "../core/errors.js";
import type { LedgerRecord } from "../core/ledger/record.js";

/**
 * Which records go into the next request. Pure.
 *
 * The ledger is gap-free, so the records after the cursor must be exactly cursor+1, cursor+2…
 * A hole or a reorder means the store is broken; forwarding past it would silently lose events,
 * so it is refused instead.
 */
export function assertContiguous(records: readonly LedgerRecord[], fromSeq: number): void {
  records.forEach((record, i) => {
    if (record.seq !== fromSeq + i) {
      throw new BridleError("INTERNAL", "ledger range is not contiguous; refusing to forward past a gap", {
        expected_seq: fromSeq + i,
        found_seq: record.seq,
      });
    }
  });
}

/**
 * How many leading chunks fit in `maxBytes`. Always at least one: a single record larger than
 * the limit is still sent alone (the collector may accept it; if it refuses, the forwarder
 * reports it and keeps it) rather than blocking the ledger behind it without a word.
 */
export function fittingCount(chunkBytes: readonly number[], maxBytes: number): number {
  let total = 0;
  for (let i = 0; i < chunkBytes.length; i += 1) {
    total += chunkBytes[i] ?? 0;
    if (total > maxBytes) return Math.max(i, 1);
  }
  return chunkBytes.length;
}
