import type { AuditEvent } from "../core/audit/event.js";
import { GENESIS_HASH, type LedgerRecord } from "../core/ledger/record.js";
import { sha256Hex } from "../core/ledger/sha256.js";
import { quoteKey, serializeCanonical, sortedKeys } from "./canonical-json.js";

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
 * in and hashed. The result is the text `canonicalJson({...event, seq, prev_hash})` gives (an
 * RFC 8785 object is its members sorted by UTF-16 code units, joined), produced by the faster
 * serializer in canonical-json.ts; the tests check it against `recordHash` on arbitrary events.
 */

/** An event's canonical text around the two chain members: prefix + prev_hash + middle + seq + suffix. */
export interface EventText {
  readonly prefix: string;
  readonly middle: string;
  readonly suffix: string;
}

export interface PreparedEvent extends EventText {
  /** The event without any chain field it may already carry. */
  readonly event: AuditEvent;
}

/** Where a batch landed in the chain: what the writer reports back, all the caller needs. */
export interface ChainedBatch {
  /** The head the batch was chained after (genesis: seq 0). */
  after: { seq: number; hash: string };
  hashes: string[];
}

/** Keys the chain owns: an event that carries them (say, a record re-appended) loses them. */
const CHAIN_KEYS = ["hash", "prev_hash", "seq"];

/** The largest page `query` returns, whatever the caller asks for. */
export const MAX_QUERY_LIMIT = 1000;

export function prepareEvent(event: AuditEvent): PreparedEvent {
  const clean = withoutChainKeys(event) as unknown as Record<string, unknown>;
  const before: string[] = [];
  const between: string[] = [];
  const after: string[] = [];
  // "prev_hash" < "seq" in code-unit order, so the other members fall into three runs around them.
  for (const key of sortedKeys(clean)) {
    const value = clean[key];
    if (value === undefined) continue;
    const run = key < "prev_hash" ? before : key < "seq" ? between : after;
    run.push(`${quoteKey(key)}:${serializeCanonical(value)}`);
  }
  // join() yields flat strings: the pending batch holds three flat strings per event instead of
  // trees of concatenations, which is far less for the garbage collector to copy (measured).
  before.push("");
  between.unshift("");
  between.push("");
  after.unshift("");
  return {
    event: clean as unknown as AuditEvent,
    prefix: `{${before.join(",")}`,
    middle: between.join(","),
    suffix: `${after.join(",")}}`,
  };
}

function withoutChainKeys(event: AuditEvent): AuditEvent {
  if (!CHAIN_KEYS.some((k) => Object.hasOwn(event, k))) return event;
  const copy: Record<string, unknown> = { ...event };
  for (const key of CHAIN_KEYS) delete copy[key];
  return copy as unknown as AuditEvent;
}

/** The hash preimage of an event placed at `seq` after `prevHash`. */
export function sealedText(t: EventText, seq: number, prevHash: string): string {
  return `${t.prefix}"prev_hash":"${prevHash}"${t.middle}"seq":${seq}${t.suffix}`;
}

/** Chains texts after `head` (or genesis): each one's preimage and hash, in order. Pure. */
export function chainTexts(
  texts: readonly EventText[],
  head: { seq: number; hash: string } | null,
): { texts: string[]; batch: ChainedBatch } {
  const after = head ?? { seq: 0, hash: GENESIS_HASH };
  const out: string[] = [];
  const hashes: string[] = [];
  let prev = after.hash;
  for (const [i, t] of texts.entries()) {
    const text = sealedText(t, after.seq + i + 1, prev);
    prev = sha256Hex(text);
    out.push(text);
    hashes.push(prev);
  }
  return { texts: out, batch: { after, hashes } };
}

/** The records of a chained batch, rebuilt from its events and the writer's report. */
export function recordsOf(prepared: readonly PreparedEvent[], chained: ChainedBatch): LedgerRecord[] {
  let prev = chained.after.hash;
  return prepared.map((p, i) => {
    const hash = chained.hashes[i]!;
    // Object.assign, not `{...event, seq, …}`: V8 takes a slow path when a spread clone grows
    // past the source's shape, measured at ~8x the cost on events.
    const record: LedgerRecord = Object.assign({}, p.event, {
      seq: chained.after.seq + i + 1,
      prev_hash: prev,
      hash,
    });
    prev = hash;
    return record;
  });
}

/** The queryable copies of a record's fields, one column each. */
export interface IndexColumns {
  timestamp_utc: string;
  event_type: string;
  trace_id: string;
  actor_user: string | null;
}

export function indexColumns(event: AuditEvent): IndexColumns {
  return {
    timestamp_utc: columnText(event.timestamp_utc),
    event_type: columnText(event.event_type),
    trace_id: columnText(event.trace_id),
    actor_user: event.actor ? columnText(event.actor.user) : null,
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what PostgreSQL text cannot hold.
const UNSTORABLE = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * PostgreSQL text cannot hold NUL, and neither database keeps a lone surrogate; both become
 * U+FFFD in these lookup columns so such an event is still stored. The `record` column, which
 * is escaped canonical JSON, keeps the exact value.
 */
function columnText(value: string): string {
  if (typeof value !== "string" || !UNSTORABLE.test(value)) return value;
  return value.replace(LONE_SURROGATE, "\ufffd").replaceAll(String.fromCharCode(0), "\ufffd");
}

export function recordFromRow(text: string, hash: string): LedgerRecord {
  return { ...(JSON.parse(text) as Omit<LedgerRecord, "hash">), hash };
}

/** The page size a query really gets: an integer in [0, MAX_QUERY_LIMIT]. */
export function clampLimit(limit: number): number {
  if (Number.isNaN(limit) || limit <= 0) return 0;
  return Math.min(Math.floor(limit), MAX_QUERY_LIMIT);
}
