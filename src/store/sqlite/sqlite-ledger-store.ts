import type Database from "better-sqlite3";
import type { AuditEvent } from "../../core/audit/event.js";
import type { LedgerRecord } from "../../core/ledger/record.js";
import type { ApprovalStore } from "../approval-store.js";
import type { CallHistoryStore } from "../call-history-store.js";
import type { ChangeSnapshotStore } from "../change-snapshot-store.js";
import type { EncodedBatch } from "../event-encoding.js";
import { buildEventQuery } from "../event-query.js";
import type { IdentityStore } from "../identity-store.js";
import type { KillSwitchStore } from "../kill-switch-store.js";
import { appendRecords, type ChainedBatch, clampLimit, emptyBatch, recordFromRow } from "../ledger-row.js";
import type { Checkpoint, EventQuery, LedgerStore, StoredRecord } from "../ledger-store.js";
import { openConnection } from "./connection.js";
import { indexedPart, LOOKUP_THROUGH_SQL, lookupKey, tailPart } from "./lookup-query.js";
import { migrate } from "./migrations.js";
import { SqliteCallHistoryStore } from "./sqlite-call-history-store.js";
import {
  SqliteApprovalStore,
  SqliteChangeSnapshotStore,
  SqliteKillSwitchStore,
} from "./sqlite-gate-store.js";
import { SqliteIdentityStore } from "./sqlite-identity-store.js";
import { SqliteWriter } from "./sqlite-writer.js";
import { WalCheckpointer } from "./wal-checkpointer.js";
import { InlineWriter, type LedgerWriter } from "./writer-protocol.js";
import { WriterThread } from "./writer-thread.js";

type Row = { record: string; hash: string };
type Head = { seq: number; hash: string };

export interface SqliteStoreOptions {
  /**
   * Where writes run: "thread" (the default for a file) commits on a worker thread so fsync
   * never blocks the event loop; "inline" on the caller's thread (always, for `:memory:`).
   */
  writer?: "thread" | "inline";
  /** The clock for cursor timestamps (tests inject one). */
  now?: () => Date;
  /** Events between two bulk updates of the trace and actor lookup (see SqliteWriter). */
  lookupEvery?: number;
}

/**
 * The embedded ledger: one SQLite file in WAL mode with `synchronous=FULL`, so a commit has
 * been fsynced before `append` resolves. The calling thread encodes events (event-encoding.ts)
 * and serves reads on its own connection (WAL readers never wait for the writer); one writer —
 * see SqliteWriter — seals and commits each batch in an IMMEDIATE transaction.
 */
export class SqliteLedgerStore implements LedgerStore {
  readonly kind = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly writer: LedgerWriter;
  private readonly now: () => Date;
  private readonly queries = new Map<string, Database.Statement<unknown[], Row>>();
  private readonly stmt;
  private closing: Promise<void> | null = null;
  /** Thread mode only: checkpoints the WAL off the writer's path. */
  private readonly checkpointer: WalCheckpointer | null = null;
  private identityStore: IdentityStore | null = null;
  private callStore: CallHistoryStore | null = null;
  private approvalStore: ApprovalStore | null = null;
  private killSwitchStore: KillSwitchStore | null = null;
  private snapshotStore: ChangeSnapshotStore | null = null;

  /** `path` is a file (created 0600 in a 0700 folder when missing) or `:memory:`. */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.db = openConnection(path);
    this.now = options.now ?? (() => new Date());
    migrate(this.db, this.now);
    const inline = path === ":memory:" || options.writer === "inline";
    const writerOptions = { lookupEvery: options.lookupEvery };
    if (inline) {
      this.writer = new InlineWriter(new SqliteWriter(this.db, writerOptions));
    } else {
      this.writer = new WriterThread(path, writerOptions);
      this.checkpointer = new WalCheckpointer(path);
    }
    this.stmt = {
      head: this.db.prepare<[], Head>("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"),
      range: this.db.prepare<[number, number], Row>(
        "SELECT record, hash FROM audit_events WHERE seq >= ? AND seq < ? ORDER BY seq",
      ),
      // CAST to BLOB: the stored UTF-8 bytes as a Buffer, with no string decoded on the way.
      storedRange: this.db.prepare<[number, number], { record: Buffer; hash: string }>(
        "SELECT CAST(record AS BLOB) AS record, hash FROM audit_events WHERE seq >= ? AND seq < ? ORDER BY seq",
      ),
      checkpoints: this.db.prepare<[], Checkpoint>(
        "SELECT seq, hash, signed_at, key_id, signature FROM ledger_checkpoints ORDER BY seq, key_id",
      ),
      getCursor: this.db.prepare<[string], { seq: number }>("SELECT seq FROM ledger_cursors WHERE name = ?"),
      lookupThrough: this.db.prepare<[], number>(LOOKUP_THROUGH_SQL).pluck(),
    };
  }

  append(events: readonly AuditEvent[]): Promise<LedgerRecord[]> {
    return appendRecords(this, events);
  }

  /**
   * The writer seals the batch under its lock, after the head it reads there. Sealing here
   * instead, after a guessed head, measured no faster: the calling thread is the one short of
   * time (it encodes every event, and in a server it is also the event loop), and in-place
   * sealing costs the writer about a microsecond per event.
   */
  async appendEncoded(batch: EncodedBatch): Promise<ChainedBatch> {
    if (batch.count === 0) return emptyBatch(await this.head());
    return this.writer.append(batch);
  }

  async head(): Promise<Head | null> {
    return this.stmt.head.get() ?? null;
  }

  async readRange(fromSeq: number, limit: number): Promise<LedgerRecord[]> {
    if (limit <= 0) return [];
    return this.stmt.range.all(fromSeq, fromSeq + limit).map((r) => recordFromRow(r.record, r.hash));
  }

  async readStoredRange(fromSeq: number, limit: number): Promise<StoredRecord[]> {
    if (limit <= 0) return [];
    return this.stmt.storedRange.all(fromSeq, fromSeq + limit);
  }

  async query(q: EventQuery): Promise<LedgerRecord[]> {
    const limit = clampLimit(q.limit);
    if (limit === 0) return [];
    const key = lookupKey(q);
    if (key === undefined) return this.run(buildEventQuery(q, limit, () => "?"));
    // Read once, before both parts (see lookup-query.ts for why any value read here is right).
    const through = this.stmt.lookupThrough.get() ?? 0;
    const indexed = this.run(indexedPart(q, key, through, limit));
    if (indexed.length === limit) return indexed;
    return indexed.concat(this.run(tailPart(q, through, limit - indexed.length)));
  }

  /** Runs a query statement, prepared once per distinct SQL text. */
  private run({ sql, params }: { sql: string; params: (string | number)[] }): LedgerRecord[] {
    let stmt = this.queries.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<unknown[], Row>(sql);
      this.queries.set(sql, stmt);
    }
    return stmt.all(...params).map((r) => recordFromRow(r.record, r.hash));
  }

  async saveCheckpoint(cp: Checkpoint): Promise<void> {
    await this.writer.saveCheckpoint(cp);
  }

  async checkpoints(): Promise<Checkpoint[]> {
    return this.stmt.checkpoints.all();
  }

  async getCursor(name: string): Promise<number> {
    return this.stmt.getCursor.get(name)?.seq ?? 0;
  }

  async setCursor(name: string, seq: number): Promise<void> {
    await this.writer.setCursor(name, seq, this.now().toISOString());
  }

  approvals(): ApprovalStore {
    this.approvalStore ??= new SqliteApprovalStore(this.db);
    return this.approvalStore;
  }

  snapshots(): ChangeSnapshotStore {
    this.snapshotStore ??= new SqliteChangeSnapshotStore(this.db);
    return this.snapshotStore;
  }

  killSwitch(): KillSwitchStore {
    this.killSwitchStore ??= new SqliteKillSwitchStore(this.db);
    return this.killSwitchStore;
  }

  identities(): IdentityStore {
    this.identityStore ??= new SqliteIdentityStore(this.db);
    return this.identityStore;
  }

  calls(): CallHistoryStore {
    this.callStore ??= new SqliteCallHistoryStore(this.db);
    return this.callStore;
  }

  close(): Promise<void> {
    this.closing ??= this.writer
      .close()
      .finally(() => this.checkpointer?.close())
      .finally(() => this.db.close());
    return this.closing;
  }
}
