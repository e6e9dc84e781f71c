import type { KeyObject } from "node:crypto";
import type { Logger } from "pino";
import { type Checkpoint, signCheckpoint } from "../core/ledger/checkpoint.js";
import { exportLines } from "../core/ledger/export-writer.js";
import { GENESIS_HASH, type LedgerRecord } from "../core/ledger/record.js";
import { ChainVerifier, type VerifyResult } from "../core/ledger/verify.js";
import { lastOf } from "../store/ledger-row.js";
import { LedgerSink } from "../store/ledger-sink.js";
import type { LedgerStore } from "../store/ledger-store.js";
import type { SigningKey } from "../store/signing-key.js";
import type { Clock } from "./deps.js";

const PAGE = 2000;
const UNCHECKPOINTED_MARGIN = 8;

/**
 * The audit ledger as the rest of Bridle sees it: a sink that acknowledges only durable events
 * (group commit), signed checkpoints every `checkpointEvery` events and at shutdown, and
 * whole-chain verification and export over the store.
 */
export interface Ledger {
  store: LedgerStore;
  sink: LedgerSink;
  publicKey: KeyObject;
  checkpointNow(): Promise<Checkpoint | null>;
  verify(onProgress?: (seq: number, head: number) => void): Promise<VerifyResult>;
  /** Lines of a `bridle-audit-jsonl` export of seq ≥ fromSeq, verified as they are read. */
  exportJsonl(fromSeq?: number): AsyncGenerator<string>;
  /** Records from seq ≥ fromSeq, paged. */
  records(fromSeq?: number, toSeq?: number): AsyncGenerator<LedgerRecord>;
  close(): Promise<void>;
}

export function createLedger(
  store: LedgerStore,
  key: SigningKey,
  clock: Clock,
  logger: Logger,
  checkpointEvery: number,
): Ledger {
  let sinceCheckpoint = 0;
  const checkpoint = async (head: { seq: number; hash: string }) => {
    const cp = signCheckpoint(head, key.privateKey, clock.now().toISOString());
    await store.saveCheckpoint(cp);
    sinceCheckpoint = 0;
    return cp;
  };
  const sink = new LedgerSink(store, {
    onCommitted: async (batch) => {
      sinceCheckpoint += batch.count;
      const last = lastOf(batch);
      if (last && sinceCheckpoint >= checkpointEvery) await checkpoint(last);
    },
    onHookError: (error) => logger.error({ err: error }, "signing an audit checkpoint failed"),
  });

  async function* records(fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER): AsyncGenerator<LedgerRecord> {
    for (let next = fromSeq; next <= toSeq; ) {
      const page = await store.readRange(next, Math.min(PAGE, toSeq - next + 1));
      if (page.length === 0) return;
      yield* page;
      next = (page.at(-1) as LedgerRecord).seq + 1;
    }
  }

  return {
    store,
    sink,
    publicKey: key.publicKey,
    async checkpointNow() {
      await sink.flush();
      const head = await store.head();
      return head ? checkpoint(head) : null;
    },
    async verify(onProgress) {
      const head = await store.head();
      const verifier = new ChainVerifier({
        publicKey: key.publicKey,
        ...(head ? { expectLastSeq: head.seq } : {}),
        // Checkpoints deleted to hide a re-hashed stretch leave a long unvouched run. Replicas
        // each sign every `checkpointEvery` of their own commits, so allow a generous margin.
        maxUncheckpointed: UNCHECKPOINTED_MARGIN * Math.max(checkpointEvery, 5000),
      });
      // A checkpoint signed after the head was read would look like truncation: leave it out.
      for (const cp of await store.checkpoints()) if (cp.seq <= (head?.seq ?? 0)) verifier.pushCheckpoint(cp);
      // The stored bytes are hashed as they are, as an offline export's are: no parse, no
      // re-canonicalization. A page with rows missing needs no care: the next row present is
      // out of turn, and the verifier names the first missing seq.
      const last = head?.seq ?? 0;
      for (let next = 1; next <= last && !verifier.failed; ) {
        const size = Math.min(PAGE, last - next + 1);
        for (const row of await store.readStoredRange(next, size)) {
          verifier.pushCanonical(row.record, row.hash);
          if (verifier.failed) break;
        }
        next += size;
        onProgress?.(next - 1, last);
      }
      return verifier.finish();
    },
    async *exportJsonl(fromSeq = 1) {
      await sink.flush();
      const head = await store.head();
      const toSeq = head?.seq ?? 0;
      const from = Math.max(1, Math.min(fromSeq, toSeq + 1));
      const before = from > 1 ? (await store.readRange(from - 1, 1))[0] : undefined;
      yield* exportLines({
        records: records(from, toSeq),
        checkpoints: await store.checkpoints(),
        from_seq: from,
        to_seq: toSeq,
        prev_hash: before?.hash ?? GENESIS_HASH,
        privateKey: key.privateKey,
        exported_at: clock.now().toISOString(),
      });
    },
    records,
    async close() {
      await sink.flush();
      const head = await store.head();
      // Sign the head at shutdown so the chain's end is vouched for, unless nothing changed.
      if (head && sinceCheckpoint > 0) await checkpoint(head);
      await sink.close(); // drains, then closes the store
    },
  };
}
