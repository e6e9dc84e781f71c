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
  /** The event without any chain field it may already carry. */
  readonly event: AuditEvent;
  /** Canonical text around the two chain members: prefix + prev_hash + middle + seq + suffix. */
  readonly prefix: string;
  readonly middle: string;
  readonly suffix: string;
}

export interface SealedRow {
  record: LedgerRecord;
  /** Canonical JSON of `record` without `hash`: the hash preimage. */
  text: string;
}

/** Keys the chain owns: an event that carries them (say, a record re-appended) loses them. */
const CHAIN_KEYS = ["hash", "prev_hash", "seq"];

/** The largest page `query` returns, whatever the caller asks for. */
export const MAX_QUERY_LIMIT = 1000;

export function prepareEvent(event: AuditEvent): PreparedEvent {
  const clean = withoutChainKeys(event) as unknown as Record<string, unknown>;
  const keys = Object.keys(clean)
    .filter((k) => clean[k] !== undefined)
    .sort();
  const member = (key: string) => `${JSON.stringify(key)}:${canonicalJson(clean[key])}`;
  // "prev_hash" < "seq" in code-unit order, so members fall into three runs around them.
  const before = keys.filter((k) => k < "prev_hash").map(member);
  const between = keys.filter((k) => k > "prev_hash" && k < "seq").map(member);
  const after = keys.filter((k) => k > "seq").map(member);
  return {
    event: clean as unknown as AuditEvent,
    prefix: `{${before.map((m) => `${m},`).join("")}`,
    middle: `,${between.map((m) => `${m},`).join("")}`,
    suffix: `${after.map((m) => `,${m}`).join("")}}`,
  };
}

function withoutChainKeys(event: AuditEvent): AuditEvent {
  if (!CHAIN_KEYS.some((k) => Object.hasOwn(event, k))) return event;
  const copy: Record<string, unknown> = { ...event };
  for (const key of CHAIN_KEYS) delete copy[key];
  return copy as unknown as AuditEvent;
}

function sealOne(p: PreparedEvent, seq: number, prevHash: string): SealedRow {
  const text = `${p.prefix}"prev_hash":"${prevHash}"${p.middle}"seq":${seq}${p.suffix}`;
  const hash = createHash("sha256").update(text, "utf8").digest("hex");
  return { record: { ...p.event, seq, prev_hash: prevHash, hash }, text };
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
