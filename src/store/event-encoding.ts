import type { AuditEvent } from "../core/audit/event.js";
import { BridleError } from "../core/errors.js";
import { CanonicalWriter, COMMA, omitted, sortedKeys } from "./canonical-json.js";

/**
 * Audit events encoded for the ledger's writer, many to one buffer.
 *
 * An event is encoded once, when it is appended: its RFC 8785 canonical JSON with room left
 * for the two chain members (`prev_hash`, `seq`), which only the writer knows, then its four
 * lookup columns, all as UTF-8 in one growing buffer. An RFC 8785 object is its members
 * sorted by UTF-16 code units and "prev_hash" < "seq", so the other members fall into three
 * runs around two fixed slots:
 *
 *   {…members before,"prev_hash":"<64 bytes>",…members between,"seq":<16 bytes>,…members after}
 *
 * Sealing (batch-sealing.ts) fills the hash slot, writes seq's digits at the start of its
 * slot and moves the members after up against them: the record is then contiguous, in place,
 * and hashed where it lies. No record is copied.
 *
 * Why bytes and not strings: a batch waits for its commit for tens of milliseconds, and every
 * string or object alive that long is copied by the young-generation garbage collector and
 * then promoted — that was a quarter of the main thread's time at full load. A buffer lives
 * outside the JavaScript heap and crosses to the writer thread by transfer, not by copy. The
 * JSON is written as bytes from the start (canonical-json.ts): no string is built at all.
 */

/**
 * Per event, nine offsets into `bytes`: the record's start, the prev_hash slot, the seq slot,
 * the end of the record as encoded (with the whole seq slot; = timestamp_utc's start), then
 * the ends of timestamp_utc, event_type, trace_id and actor_user — each column starts where
 * the one before ends; an actor_user end of -1 means the column is null — and last the sealed
 * record's end (0 until the batch is sealed).
 */
export const BOUNDS_PER_EVENT = 9;
export const Bound = { Start: 0, PrevHash: 1, Seq: 2, Encoded: 3, Sealed: 8 } as const;

/** The chain members' slots: a SHA-256 in hex, and seq's digits (Number.MAX_SAFE_INTEGER has 16). */
export const PREV_HASH_SLOT = 64;
export const SEQ_SLOT = 16;
const PREV_HASH_OPEN = '"prev_hash":"';
const PREV_HASH_CLOSE = '",';
const SEQ_OPEN = '"seq":';

/** The lookup columns, in the order they follow the record. */
export const Column = { TimestampUtc: 0, EventType: 1, TraceId: 2, ActorUser: 3 } as const;
export type Column = (typeof Column)[keyof typeof Column];

export interface EncodedBatch {
  readonly count: number;
  readonly bytes: Uint8Array;
  readonly bounds: Int32Array;
}

/** Keys the chain owns: an event that carries them (say, a record re-appended) loses them. */
export const CHAIN_KEYS: readonly string[] = ["hash", "prev_hash", "seq"];

/** Builds one EncodedBatch. `finish` hands the buffers over; the encoder is not used again. */
export class BatchEncoder {
  private readonly out: CanonicalWriter;
  private bounds: Int32Array;
  private n = 0;

  /** `capacity`: bytes to start with (the buffer doubles as needed). */
  constructor(capacity = 64 * 1024, events = 256) {
    this.out = new CanonicalWriter(capacity);
    this.bounds = new Int32Array(Math.max(1, events) * BOUNDS_PER_EVENT);
  }

  get count(): number {
    return this.n;
  }

  get byteLength(): number {
    return this.out.pos;
  }

  /**
   * Encodes one event after the others. Throws a VALIDATION_FAILED BridleError for a value
   * JSON cannot carry (NaN, a bigint, …) and leaves the batch as it was.
   */
  add(event: AuditEvent): void {
    const start = this.out.pos;
    try {
      this.encode(event as unknown as Record<string, unknown>);
    } catch (error) {
      this.out.pos = start;
      throw error;
    }
    this.n++;
  }

  finish(): EncodedBatch {
    return {
      count: this.n,
      bytes: this.out.bytes.subarray(0, this.out.pos),
      bounds: this.bounds.subarray(0, this.n * BOUNDS_PER_EVENT),
    };
  }

  private encode(event: Record<string, unknown>): void {
    const out = this.out;
    const at = this.n * BOUNDS_PER_EVENT;
    this.reserveBounds(at + BOUNDS_PER_EVENT);
    const b = this.bounds;
    b[at + Bound.Start] = out.pos;
    const keys = sortedKeys(event);
    out.byte(0x7b); // {
    let k = 0;
    for (; k < keys.length && keys[k]! < "prev_hash"; k++) this.member(event, keys[k]!, false, true);
    out.text(PREV_HASH_OPEN);
    b[at + Bound.PrevHash] = out.pos;
    out.gap(PREV_HASH_SLOT);
    out.text(PREV_HASH_CLOSE);
    for (; k < keys.length && keys[k]! < "seq"; k++) this.member(event, keys[k]!, false, true);
    out.text(SEQ_OPEN);
    b[at + Bound.Seq] = out.pos;
    out.gap(SEQ_SLOT);
    for (; k < keys.length; k++) this.member(event, keys[k]!, true, false);
    out.byte(0x7d); // }
    b[at + Bound.Encoded] = out.pos;
    out.text(columnText(event.timestamp_utc, "timestamp_utc"));
    b[at + 4] = out.pos;
    out.text(columnText(event.event_type, "event_type"));
    b[at + 5] = out.pos;
    out.text(columnText(event.trace_id, "trace_id"));
    b[at + 6] = out.pos;
    const actor = actorUser(event.actor);
    if (actor !== null) out.text(actor);
    b[at + 7] = actor === null ? -1 : out.pos;
    b[at + Bound.Sealed] = 0;
  }

  /** `"key":value`, with a comma before or after it, or nothing for a member JSON leaves out. */
  private member(
    event: Record<string, unknown>,
    key: string,
    commaBefore: boolean,
    commaAfter: boolean,
  ): void {
    const value = event[key];
    if (omitted(value) || CHAIN_KEYS.includes(key)) return;
    if (commaBefore) this.out.byte(COMMA);
    this.out.key(key);
    this.out.value(value);
    if (commaAfter) this.out.byte(COMMA);
  }

  private reserveBounds(size: number): void {
    if (size <= this.bounds.length) return;
    const grown = new Int32Array(Math.max(size, this.bounds.length * 2));
    grown.set(this.bounds);
    this.bounds = grown;
  }
}

/** Encodes a whole list (the store's own `append`); throws before anything is written. */
export function encodeEvents(events: readonly AuditEvent[]): EncodedBatch {
  const encoder = new BatchEncoder(events.length * 1024, events.length);
  for (const event of events) encoder.add(event);
  return encoder.finish();
}

function actorUser(actor: unknown): string | null {
  if (actor === null || actor === undefined) return null;
  return columnText((actor as { user?: unknown }).user, "actor.user");
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what PostgreSQL text cannot hold.
const UNSTORABLE = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A lookup column's text. PostgreSQL text cannot hold NUL, and neither database keeps a lone
 * surrogate; both become U+FFFD here so such an event is still stored. The record itself,
 * which is escaped canonical JSON, keeps the exact value.
 */
function columnText(value: unknown, field: string): string {
  if (typeof value !== "string")
    throw new BridleError("VALIDATION_FAILED", `an audit event's ${field} must be a string`);
  if (!UNSTORABLE.test(value)) return value;
  return value.replace(LONE_SURROGATE, "\ufffd").replaceAll(String.fromCharCode(0), "\ufffd");
}

/** A column's bytes in the batch (null: SQL NULL). A view, not a copy. */
export function columnBytes(batch: EncodedBatch, i: number, column: Column): Uint8Array | null {
  const base = i * BOUNDS_PER_EVENT;
  const end = batch.bounds[base + 4 + column]!;
  if (end === -1) return null;
  const start = batch.bounds[base + 3 + column]!;
  return batch.bytes.subarray(start, end);
}

const decoder = new TextDecoder();

/** A column as text (the PostgreSQL adapter, which sends JSON). */
export function columnString(batch: EncodedBatch, i: number, column: Column): string | null {
  const bytes = columnBytes(batch, i, column);
  return bytes === null ? null : decoder.decode(bytes);
}
