import type { AuditEvent } from "../core/audit/event.js";
import { GENESIS_HASH, type LedgerRecord } from "../core/ledger/record.js";
import { CHAIN_KEYS, type EncodedBatch, encodeEvents } from "./event-encoding.js";

/**
 * How a ledger record becomes a row and back, shared by both adapters.
 *
 * A row's `record` column holds the exact bytes that were hashed: the RFC 8785 canonical JSON
 * of the record without `hash` (the event, `seq`, `prev_hash`). So `sha256(record) = hash` can
 * be checked byte-for-byte by anyone with SQL access, and reading a record back is one
 * JSON.parse. `hash` lives in its own column. Events are encoded by event-encoding.ts when
 * they are appended and sealed into records by batch-sealing.ts inside the write lock; the
 * tests hold the result to `canonicalJson` / `recordHash` on arbitrary events.
 */

/** Where a batch landed in the chain: what the writer reports back, all the caller needs. */
export interface ChainedBatch {
  /** The head the batch was chained after (genesis: seq 0). */
  after: { seq: number; hash: string };
  count: number;
  /** Every record's hash (64 hex digits each), in order, as one string: one value to pass between threads. */
  hashes: string;
}

/** The hash of the batch's `i`-th record. */
export function hashAt(batch: ChainedBatch, i: number): string {
  return batch.hashes.slice(i * 64, i * 64 + 64);
}

/** The new head after the batch (its last record), or null for an empty batch. */
export function lastOf(batch: ChainedBatch): { seq: number; hash: string } | null {
  if (batch.count === 0) return null;
  return { seq: batch.after.seq + batch.count, hash: hashAt(batch, batch.count - 1) };
}

/** What appending nothing reports: the batch sits after the current head. */
export function emptyBatch(head: { seq: number; hash: string } | null): ChainedBatch {
  return { after: head ?? { seq: 0, hash: GENESIS_HASH }, count: 0, hashes: "" };
}

/** The largest page `query` returns, whatever the caller asks for. */
export const MAX_QUERY_LIMIT = 1000;

/** The record the batch's `i`-th event became. */
export function recordOf(event: AuditEvent, batch: ChainedBatch, i: number): LedgerRecord {
  // Object.assign, not `{...event, seq, …}`: V8 takes a slow path when a spread clone grows
  // past the source's shape, measured at ~8x the cost on events.
  return Object.assign({}, withoutChainKeys(event), {
    seq: batch.after.seq + i + 1,
    prev_hash: i === 0 ? batch.after.hash : hashAt(batch, i - 1),
    hash: hashAt(batch, i),
  });
}

/** `LedgerStore.append` for both adapters: encode (refusing before anything is written), append, rebuild. */
export async function appendRecords(
  store: { appendEncoded(batch: EncodedBatch): Promise<ChainedBatch> },
  events: readonly AuditEvent[],
): Promise<LedgerRecord[]> {
  if (events.length === 0) return [];
  return recordsOf(events, await store.appendEncoded(encodeEvents(events)));
}

export function recordsOf(events: readonly AuditEvent[], batch: ChainedBatch): LedgerRecord[] {
  return events.map((event, i) => recordOf(event, batch, i));
}

function withoutChainKeys(event: AuditEvent): AuditEvent {
  if (!CHAIN_KEYS.some((key) => Object.hasOwn(event, key))) return event;
  const copy: Record<string, unknown> = { ...event };
  for (const key of CHAIN_KEYS) delete copy[key];
  return copy as unknown as AuditEvent;
}

export function recordFromRow(text: string, hash: string): LedgerRecord {
  return { ...(JSON.parse(text) as Omit<LedgerRecord, "hash">), hash };
}

/** The page size a query really gets: an integer in [0, MAX_QUERY_LIMIT]. */
export function clampLimit(limit: number): number {
  if (Number.isNaN(limit) || limit <= 0) return 0;
  return Math.min(Math.floor(limit), MAX_QUERY_LIMIT);
}
