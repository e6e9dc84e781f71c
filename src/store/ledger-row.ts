import { createHash } from "node:crypto";
import type { AuditEvent } from "../core/audit/event.js";
import { canonicalJson, GENESIS_HASH, type LedgerRecord } from "../core/ledger/record.js";

/**
 * How a ledger record becomes a row and back, shared by both adapters.
 *
 * A row's `record` column holds the exact bytes that were hashed: the RFC 8785 canonical JSON
 * of the record without `hash` (the event, `seq`, `prev_hash`). So `sha256(record) = hash` can
 * be checked byte-for-byte by anyone with SQL access, and reading a record back is one
 * JSON.parse. `hash` lives in its own column.
 *
 * Sealing is split in two so the expensive part — canonicalizing the event's members — runs
 * before the store takes its write lock; inside the lock only `seq` and `prev_hash` are spliced
 * in and hashed. The result is the same text `canonicalJson({...event, seq, prev_hash})` gives
 * (an RFC 8785 object is its members sorted by UTF-16 code units, joined; the tests check
 * equality with `recordHash` on arbitrary events).
 */
export interface PreparedEvent {
  readonly event: AuditEvent;
  /** Canonical members in sorted order, with the two chain slots marked. */
  readonly parts: readonly (string | typeof SEQ | typeof PREV)[];
}

export interface SealedRow {
  record: LedgerRecord;
  /** Canonical JSON of `record` without `hash`: the hash preimage. */
  text: string;
}

const SEQ = Symbol("seq");
const PREV = Symbol("prev_hash");
/** Keys the chain owns: an event that carries them (say, a record re-appended) loses them. */
const CHAIN_KEYS = new Set(["seq", "prev_hash", "hash"]);

/** The largest page `query` returns, whatever the caller asks for. */
export const MAX_QUERY_LIMIT = 1000;

export function prepareEvent(event: AuditEvent): PreparedEvent {
  const source = event as unknown as Record<string, unknown>;
  const keys = Object.keys(source).filter((k) => !CHAIN_KEYS.has(k) && source[k] !== undefined);
  keys.push("seq", "prev_hash");
  keys.sort();
  const parts = keys.map((key) => {
    if (key === "seq") return SEQ;
    if (key === "prev_hash") return PREV;
    return `${JSON.stringify(key)}:${canonicalJson(source[key])}`;
  });
  return { event, parts };
}

function sealOne(prepared: PreparedEvent, seq: number, prevHash: string): SealedRow {
  const members = prepared.parts.map((part) => {
    if (part === SEQ) return `"seq":${seq}`;
    if (part === PREV) return `"prev_hash":"${prevHash}"`;
    return part;
  });
  const text = `{${members.join(",")}}`;
  const hash = createHash("sha256").update(text, "utf8").digest("hex");
  const body: Record<string, unknown> = { ...prepared.event };
  for (const key of CHAIN_KEYS) delete body[key];
  const record = { ...(body as unknown as AuditEvent), seq, prev_hash: prevHash, hash };
  return { record, text };
}

/** Chains prepared events after `head` (or genesis). Pure. */
export function sealBatch(
  prepared: readonly PreparedEvent[],
  head: { seq: number; hash: string } | null,
): SealedRow[] {
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  return prepared.map((p) => {
    const row = sealOne(p, ++seq, prev);
    prev = row.record.hash;
    return row;
  });
}

export function recordFromRow(text: string, hash: string): LedgerRecord {
  return { ...(JSON.parse(text) as Omit<LedgerRecord, "hash">), hash };
}

/** The page size a query really gets: an integer in [0, MAX_QUERY_LIMIT]. */
export function clampLimit(limit: number): number {
  if (Number.isNaN(limit) || limit <= 0) return 0;
  return Math.min(Math.floor(limit), MAX_QUERY_LIMIT);
}
