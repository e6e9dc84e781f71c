import type { AuditEvent, AuditEventType } from "../core/audit/event.js";
import type { Checkpoint } from "../core/ledger/checkpoint.js";
import type { LedgerRecord } from "../core/ledger/record.js";
import type { ApprovalStore } from "./approval-store.js";
import type { CallHistoryStore } from "./call-history-store.js";
import type { ChangeSnapshotStore } from "./change-snapshot-store.js";
import type { EncodedBatch } from "./event-encoding.js";
import type { IdentityStore } from "./identity-store.js";
import type { KillSwitchStore } from "./kill-switch-store.js";
import type { ChainedBatch } from "./ledger-row.js";

export type { Checkpoint } from "../core/ledger/checkpoint.js";

export interface EventQuery {
  trace_id?: string;
  actor?: string;
  event_type?: AuditEventType;
  /** ISO-8601 lower bound on timestamp_utc (inclusive). */
  since?: string;
  /** Page after this seq (keyset pagination). */
  after_seq?: number;
  /** At most this many records (the store caps it). */
  limit: number;
}

/** A row as stored: `record` is the canonical JSON that `hash` is the SHA-256 of. */
export interface StoredRecord {
  record: string | Uint8Array;
  hash: string;
}

/**
 * The audit ledger's storage: one interface, two adapters (SQLite embedded, PostgreSQL shared
 * by replicas), one behavioural test suite run against both.
 *
 * `append` assigns gap-free `seq`, chains each event to the current head, and resolves only
 * after the records are durable (committed with fsync). Concurrent appends — from one process
 * or from several replicas — are serialized on the head so the chain never forks.
 */
export interface LedgerStore {
  readonly kind: "sqlite" | "postgres";
  append(events: readonly AuditEvent[]): Promise<LedgerRecord[]>;
  /**
   * The same for events already encoded (LedgerSink's path: it encodes each event as it is
   * appended). Resolves with where the batch landed, not with records.
   */
  appendEncoded(batch: EncodedBatch): Promise<ChainedBatch>;
  head(): Promise<{ seq: number; hash: string } | null>;
  /** Records with seq in [fromSeq, fromSeq + limit), in seq order. */
  readRange(fromSeq: number, limit: number): Promise<LedgerRecord[]>;
  /**
   * The same rows as stored, unparsed: the exact bytes that were hashed (UTF-8, or the text
   * itself) and the hash column. What verification reads: it hashes these as they are.
   */
  readStoredRange(fromSeq: number, limit: number): Promise<StoredRecord[]>;
  query(q: EventQuery): Promise<LedgerRecord[]>;
  saveCheckpoint(cp: Checkpoint): Promise<void>;
  checkpoints(): Promise<Checkpoint[]>;
  /** Durable named cursors (the SIEM forwarder's position). */
  getCursor(name: string): Promise<number>;
  setCursor(name: string, seq: number): Promise<void>;
  /** Delegations, on the same database (closed with it). */
  identities(): IdentityStore;
  /** Tool calls, rollbacks and breaker openings (rate limits, breakers, blast radius), on the same database. */
  calls(): CallHistoryStore;
  /** Approval requests, on the same database. */
  approvals(): ApprovalStore;
  /** The runtime kill switch, on the same database. */
  killSwitch(): KillSwitchStore;
  /** Before/after state of each write, for rollback. */
  snapshots(): ChangeSnapshotStore;
  close(): Promise<void>;
}
