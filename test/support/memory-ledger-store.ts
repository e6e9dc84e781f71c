import type { AuditEvent } from "../../src/core/audit/event.js";
import { canonicalJson, chainBatch, type LedgerRecord } from "../../src/core/ledger/record.js";
import { sealBatch, sealedRecord } from "../../src/store/batch-sealing.js";
import type { EncodedBatch } from "../../src/store/event-encoding.js";
import { type ChainedBatch, hashAt, recordFromRow } from "../../src/store/ledger-row.js";
import type { Checkpoint, EventQuery, LedgerStore, StoredRecord } from "../../src/store/ledger-store.js";

/**
 * An in-memory LedgerStore for tests of code that consumes the ledger (the SIEM forwarder).
 * Same contract as the real adapters: gap-free seq from 1, records chained with chainBatch,
 * copies in and out so callers cannot edit what is "stored", cursors default to 0.
 */
export class MemoryLedgerStore implements LedgerStore {
  // The contract names only the two real adapters; this fake behaves like the embedded one.
  readonly kind = "sqlite" as const;
  private readonly records: LedgerRecord[] = [];
  private readonly cursors = new Map<string, number>();
  private readonly saved: Checkpoint[] = [];

  async append(events: readonly AuditEvent[]): Promise<LedgerRecord[]> {
    const chained = chainBatch(events, await this.head());
    this.records.push(...structuredClone(chained));
    return chained;
  }

  async appendEncoded(batch: EncodedBatch): Promise<ChainedBatch> {
    const sealed = sealBatch(batch, await this.head());
    for (let i = 0; i < sealed.count; i++) {
      this.records.push(recordFromRow(new TextDecoder().decode(sealedRecord(batch, i)), hashAt(sealed, i)));
    }
    return sealed;
  }

  async head(): Promise<{ seq: number; hash: string } | null> {
    const last = this.records.at(-1);
    return last ? { seq: last.seq, hash: last.hash } : null;
  }

  async readRange(fromSeq: number, limit: number): Promise<LedgerRecord[]> {
    // seq n lives at index n-1; seqs below 1 do not exist.
    const start = Math.max(fromSeq, 1) - 1;
    const end = Math.max(fromSeq - 1 + limit, start);
    return structuredClone(this.records.slice(start, end));
  }

  async readStoredRange(fromSeq: number, limit: number): Promise<StoredRecord[]> {
    return (await this.readRange(fromSeq, limit)).map(({ hash, ...unhashed }) => ({
      record: canonicalJson(unhashed),
      hash,
    }));
  }

  async query(q: EventQuery): Promise<LedgerRecord[]> {
    const matches = this.records.filter((r) => matchesQuery(r, q));
    return structuredClone(matches.slice(0, q.limit));
  }

  async saveCheckpoint(cp: Checkpoint): Promise<void> {
    this.saved.push({ ...cp });
  }

  async checkpoints(): Promise<Checkpoint[]> {
    return this.saved.map((cp) => ({ ...cp }));
  }

  async getCursor(name: string): Promise<number> {
    return this.cursors.get(name) ?? 0;
  }

  async setCursor(name: string, seq: number): Promise<void> {
    this.cursors.set(name, seq);
  }

  approvals(): never {
    throw new Error("MemoryLedgerStore holds audit events only");
  }

  snapshots(): never {
    throw new Error("MemoryLedgerStore holds audit events only");
  }

  killSwitch(): never {
    throw new Error("MemoryLedgerStore holds audit events only");
  }

  calls(): never {
    throw new Error("MemoryLedgerStore holds audit events only; use a SQLite store for call history");
  }

  identities(): never {
    throw new Error("MemoryLedgerStore holds audit events only; use a SQLite store for delegations");
  }

  async close(): Promise<void> {}
}

/** `count` distinct, plausible audit events (timestamps one second apart from `start`). */
export function sampleEvents(count: number, start = Date.UTC(2025, 0, 15, 9, 30)): AuditEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    timestamp_utc: new Date(start + i * 1000).toISOString(),
    event_type: "tool_call",
    trace_id: `trace-${String(i).padStart(4, "0")}`,
    actor: {
      user: "engineer@zyxbank.example",
      groups: ["grp-ai-users"],
      device_compliant: true,
      authenticated_by: "dev-headers",
      agent: null,
      delegation_chain: [],
    },
    tool: { name: "jira.get_ticket", args: { ticket: "CHG-18422" } },
    decisions: null,
    policy: { version: "1", sha256: "a".repeat(64) },
    model: null,
    validation: null,
    approval: null,
    outcome: { status: "ok" },
    data: { index: i },
  }));
}

/** Whether a record passes every filter of `q`: what each store's `query` must select. */
export function matchesQuery(r: LedgerRecord, q: EventQuery): boolean {
  return (
    (q.trace_id === undefined || r.trace_id === q.trace_id) &&
    (q.actor === undefined || r.actor?.user === q.actor) &&
    (q.event_type === undefined || r.event_type === q.event_type) &&
    (q.since === undefined || r.timestamp_utc >= q.since) &&
    (q.after_seq === undefined || r.seq > q.after_seq)
  );
}
