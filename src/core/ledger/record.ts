import { createHash } from "node:crypto";
import canonicalizeModule from "canonicalize";
import type { AuditEvent } from "../audit/event.js";

/**
 * A ledger record: an audit event with its place in the chain. `hash` is the SHA-256 (hex) of
 * the RFC 8785 canonical JSON of every other field — the event, `seq` and `prev_hash` — so any
 * edit, deletion, reorder or insertion breaks the chain from that record on.
 */
export interface LedgerRecord extends AuditEvent {
  seq: number;
  prev_hash: string;
  hash: string;
}

/** The chain's anchor: the `prev_hash` of record 1. */
// The package is CommonJS (`module.exports = serialize`) while its types declare an ES default
// export; under NodeNext the default import is the function itself at run time.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

export const GENESIS_HASH = "0".repeat(64);

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error("value cannot be canonicalized");
  return text;
}

export function recordHash(record: Omit<LedgerRecord, "hash">): string {
  return createHash("sha256").update(canonicalJson(record), "utf8").digest("hex");
}

/** Places `event` after `prev` in the chain. Pure. */
export function chainEvent(event: AuditEvent, seq: number, prevHash: string): LedgerRecord {
  const unhashed = { ...event, seq, prev_hash: prevHash };
  return { ...unhashed, hash: recordHash(unhashed) };
}

/** Chains a batch after the head `{seq, hash}` (or genesis). */
export function chainBatch(
  events: readonly AuditEvent[],
  head: { seq: number; hash: string } | null,
): LedgerRecord[] {
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  return events.map((event) => {
    const record = chainEvent(event, ++seq, prev);
    prev = record.hash;
    return record;
  });
}
