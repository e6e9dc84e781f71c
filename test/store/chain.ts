import { expect } from "vitest";
import { GENESIS_HASH, type LedgerRecord, recordHash } from "../../src/core/ledger/record.js";
import type { LedgerStore } from "../../src/store/ledger-store.js";

/** Every record of the store, in seq order, read a page at a time. */
export async function readAll(store: LedgerStore): Promise<LedgerRecord[]> {
  const all: LedgerRecord[] = [];
  for (;;) {
    const page = await store.readRange(all.length + 1, 1000);
    all.push(...page);
    if (page.length < 1000) return all;
  }
}

/** The first break in the chain, or null: seq must run 1..n, hashes recompute and link. */
export function firstBreak(records: readonly LedgerRecord[]): string | null {
  let prev = GENESIS_HASH;
  for (const [i, record] of records.entries()) {
    const { hash, ...unhashed } = record;
    if (record.seq !== i + 1) return `position ${i + 1} holds seq ${record.seq}`;
    if (record.prev_hash !== prev) return `seq ${record.seq}: prev_hash does not link`;
    if (recordHash(unhashed) !== hash) return `seq ${record.seq}: hash does not recompute`;
    prev = hash;
  }
  return null;
}

export function expectIntactChain(records: readonly LedgerRecord[]): void {
  expect(firstBreak(records)).toBeNull();
}

/** The `data.id` of every record, checking none appears twice. */
export function idsOf(records: readonly LedgerRecord[]): Set<string> {
  const ids = new Set<string>();
  for (const r of records) {
    const id = String(r.data.id);
    expect(ids.has(id), `event ${id} stored twice`).toBe(false);
    ids.add(id);
  }
  return ids;
}
