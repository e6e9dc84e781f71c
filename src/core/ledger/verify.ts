import type { KeyObject } from "node:crypto";
import { chainFields } from "./chain-fields.js";
import { type Checkpoint, checkpointProblem } from "./checkpoint.js";
import { GENESIS_HASH, type LedgerRecord, recordHash } from "./record.js";
import { sha256Hex } from "./sha256.js";

/**
 * Streaming verification of the hash chain and its signed checkpoints.
 *
 * What each tamper looks like, and where it is caught:
 * - an edited field: the record no longer hashes to its `hash` → that record's seq;
 * - a deleted record: a gap in `seq` → the missing seq;
 * - reordered records: the seq that arrives out of turn → the first seq out of place;
 * - an inserted record: a seq seen twice, or a `prev_hash` that does not link → that seq;
 * - a forged re-hash (edit one record, recompute its hash and every later one): the chain is
 *   self-consistent, so only a signed checkpoint tells: its `{seq, hash}` disagrees with the
 *   chain, its signature is bad, or it is missing where one is required. The edit lies after
 *   the last checkpoint that still matched, so the first bad seq reported is the first record
 *   no checkpoint vouches for any more;
 * - truncation: a checkpoint covering records that are not there, fewer records than
 *   `expectLastSeq`, or (with `requireHeadCheckpoint`) a chain end no checkpoint covers.
 *
 * Memory is constant in the length of the chain: a checkpoint must arrive before its record
 * (it waits) or right after it (compared with the last hash); the export puts each checkpoint
 * right after its record, and `verifyRecords` pushes every checkpoint first.
 */
export interface VerifyOptions {
  /** Checks checkpoint signatures and key ids. Without it only their `{seq, hash}` is compared. */
  publicKey?: KeyObject | null;
  /** The chain state before the first record (a partial export's trusted start); default genesis. */
  anchor?: { seq: number; hash: string };
  /** The records must run exactly to this seq (an export's declared end). */
  expectLastSeq?: number;
  /** The last record must be covered by a checkpoint (an export always ends with one). */
  requireHeadCheckpoint?: boolean;
  /**
   * At most this many records in a row without a checkpoint vouching for them (the largest
   * `checkpoint_every` ever configured): catches checkpoints deleted to hide a re-hash.
   */
  maxUncheckpointed?: number;
}

export interface VerifyResult {
  ok: boolean;
  /** Records that verified. */
  count: number;
  first_bad_seq: number | null;
  reason: string | null;
  checkpoints_verified: number;
  /** The last record that verified (the anchor when none did). */
  last_seq: number;
  last_hash: string;
  /** False when no public key was given: checkpoints were compared but their signatures not checked. */
  signatures_checked: boolean;
  /** The highest seq a verified checkpoint (or the trusted anchor) vouches for. */
  covered_seq: number;
}

type Failure = { seq: number; reason: string };

export class ChainVerifier {
  private lastSeq: number;
  private lastHash: string;
  private coveredSeq: number;
  private count = 0;
  private verifiedCheckpoints = 0;
  private readonly pending = new Map<number, Checkpoint[]>();
  private failure: Failure | null = null;
  private readonly anchorSeq: number;

  constructor(private readonly options: VerifyOptions = {}) {
    this.anchorSeq = options.anchor?.seq ?? 0;
    this.lastSeq = this.anchorSeq;
    this.lastHash = options.anchor?.hash ?? GENESIS_HASH;
    this.coveredSeq = this.anchorSeq;
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /** The seq the next record must carry. */
  get nextSeq(): number {
    return this.lastSeq + 1;
  }

  /** A record as stored (with `hash`); its canonical JSON is recomputed. */
  push(record: LedgerRecord): void {
    if (this.failure) return;
    const { hash, ...unhashed } = record;
    this.accept(record.seq, record.prev_hash, hash, () => recordHash(unhashed));
  }

  /**
   * A record given as the exact bytes that were hashed (the UTF-8 of its canonical JSON
   * without `hash`), as the export and the stores keep them: hashing those bytes as they are,
   * and reading `seq` and `prev_hash` with a scanner instead of JSON.parse, skips the main
   * costs of verification. Sound without checking the text is canonical: see chain-fields.ts.
   */
  pushCanonical(text: string | Uint8Array, hash: string): void {
    if (this.failure) return;
    const bytes =
      typeof text === "string"
        ? Buffer.from(text, "utf8")
        : Buffer.isBuffer(text)
          ? text
          : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
    const fields = chainFields(bytes);
    if (!fields) {
      this.abort(`the record after seq ${this.lastSeq} has no top-level integer seq and prev_hash`);
      return;
    }
    this.accept(fields.seq, fields.prev_hash, hash, () => sha256Hex(bytes));
  }

  pushCheckpoint(cp: Checkpoint): void {
    if (this.failure) return;
    if (cp.seq > this.lastSeq) {
      const waiting = this.pending.get(cp.seq);
      if (waiting) waiting.push(cp);
      else this.pending.set(cp.seq, [cp]);
      return;
    }
    if (cp.seq === this.lastSeq) {
      this.checkCheckpoint(cp, this.lastHash);
      return;
    }
    if (cp.seq < this.anchorSeq) return; // before this chain segment: nothing here to compare it with
    this.fail({
      seq: cp.seq,
      reason: `checkpoint at seq ${cp.seq} arrived after record ${this.lastSeq}; it must precede or directly follow its record`,
    });
  }

  /** Stops verification with a failure at the next expected seq (a malformed export line). */
  abort(reason: string): void {
    this.fail({ seq: this.nextSeq, reason });
  }

  finish(): VerifyResult {
    if (!this.failure) this.fail(this.endProblem());
    const failure = this.failure;
    return {
      ok: failure === null,
      count: this.count,
      first_bad_seq: failure?.seq ?? null,
      reason: failure?.reason ?? null,
      checkpoints_verified: this.verifiedCheckpoints,
      last_seq: this.lastSeq,
      last_hash: this.lastHash,
      signatures_checked: Boolean(this.options.publicKey),
      covered_seq: this.coveredSeq,
    };
  }

  private accept(seq: unknown, prevHash: unknown, hash: unknown, computeHash: () => string): void {
    const problem = this.linkProblem(seq, prevHash, hash, computeHash);
    if (problem) {
      this.fail(problem);
      return;
    }
    this.lastSeq = seq as number;
    this.lastHash = hash as string;
    this.count++;
    this.settlePending(this.lastSeq, this.lastHash);
    if (!this.failure) this.fail(this.gapProblem(this.lastSeq));
  }

  private linkProblem(
    seq: unknown,
    prevHash: unknown,
    hash: unknown,
    computeHash: () => string,
  ): Failure | null {
    const expected = this.nextSeq;
    if (typeof seq !== "number" || !Number.isSafeInteger(seq)) {
      return { seq: expected, reason: `the record after seq ${this.lastSeq} has no integer seq` };
    }
    if (seq !== expected) return this.outOfTurn(seq, expected);
    const limit = this.options.expectLastSeq;
    if (limit !== undefined && seq > limit) {
      return { seq, reason: `record ${seq} lies beyond the declared end of the chain (seq ${limit})` };
    }
    if (prevHash !== this.lastHash) {
      const what = seq === 1 ? "the genesis hash" : `the hash of record ${seq - 1}`;
      return { seq, reason: `record ${seq}: prev_hash does not match ${what} (the chain is broken here)` };
    }
    if (typeof hash !== "string" || computeHash() !== hash) {
      return { seq, reason: `record ${seq} does not match its hash (the record was edited)` };
    }
    return null;
  }

  private outOfTurn(seq: number, expected: number): Failure {
    if (seq > expected) {
      const missing = seq === expected + 1 ? `${expected}` : `${expected}..${seq - 1}`;
      return {
        seq: expected,
        reason: `record ${missing} missing: seq ${seq} follows seq ${this.lastSeq} (deleted or reordered)`,
      };
    }
    return {
      seq,
      reason: `seq ${seq} out of order: it follows seq ${this.lastSeq} (reordered, duplicated or inserted)`,
    };
  }

  private settlePending(seq: number, hash: string): void {
    const waiting = this.pending.get(seq);
    if (!waiting) return;
    this.pending.delete(seq);
    for (const cp of waiting) {
      this.checkCheckpoint(cp, hash);
      if (this.failure) return;
    }
  }

  private checkCheckpoint(cp: Checkpoint, chainHash: string): void {
    const problem = this.checkpointProblem(cp, chainHash);
    if (problem) {
      this.fail(problem);
      return;
    }
    this.verifiedCheckpoints++;
    if (cp.seq > this.coveredSeq) this.coveredSeq = cp.seq;
  }

  /** A bad checkpoint leaves every record since the last good one unvouched for: the first is named. */
  private checkpointProblem(cp: Checkpoint, chainHash: string): Failure | null {
    const publicKey = this.options.publicKey;
    const bad = this.coveredSeq < cp.seq ? this.coveredSeq + 1 : cp.seq;
    const unvouched = bad < cp.seq ? ` (records ${bad}..${cp.seq} are not vouched for)` : "";
    const signature = publicKey ? checkpointProblem(cp, publicKey) : null;
    if (signature) return { seq: bad, reason: `${signature}${unvouched}` };
    if (cp.hash !== chainHash) {
      return {
        seq: bad,
        reason: `checkpoint at seq ${cp.seq} does not match the chain: records were altered and re-hashed${unvouched}`,
      };
    }
    return null;
  }

  /** Records up to seq-1 have had their chance: a checkpoint for seq itself may still follow it. */
  private gapProblem(seq: number): Failure | null {
    const max = this.options.maxUncheckpointed;
    if (max === undefined || seq - 1 - this.coveredSeq <= max) return null;
    return {
      seq: this.coveredSeq + 1,
      reason: `records ${this.coveredSeq + 1}..${seq - 1} are not covered by any checkpoint (more than ${max}; checkpoints deleted?)`,
    };
  }

  private endProblem(): Failure | null {
    const expectLast = this.options.expectLastSeq;
    const beyond = [...this.pending.keys()].filter((s) => s > this.lastSeq).sort((a, b) => a - b)[0];
    if (beyond !== undefined) {
      return {
        seq: this.nextSeq,
        reason: `checkpoint at seq ${beyond} covers records that are not present: the chain ends at seq ${this.lastSeq} (truncated)`,
      };
    }
    if (expectLast !== undefined && this.lastSeq < expectLast) {
      return {
        seq: this.nextSeq,
        reason: `records ${this.nextSeq}..${expectLast} are missing: the chain ends at seq ${this.lastSeq} (truncated)`,
      };
    }
    if (this.options.requireHeadCheckpoint && this.coveredSeq < this.lastSeq) {
      return {
        seq: this.coveredSeq + 1,
        reason: `no signed checkpoint covers the end of the chain (seq ${this.lastSeq}); records ${this.coveredSeq + 1}..${this.lastSeq} are not vouched for (truncated or re-hashed)`,
      };
    }
    return this.gapProblem(this.lastSeq + 1);
  }

  private fail(problem: Failure | null): void {
    if (problem && !this.failure) this.failure = problem;
  }
}

/** Verifies whole lists: every checkpoint is queued first, then the records stream past them. */
export function verifyRecords(
  records: Iterable<LedgerRecord>,
  checkpoints: Iterable<Checkpoint>,
  publicKey?: KeyObject | null,
  options: Omit<VerifyOptions, "publicKey"> = {},
): VerifyResult {
  const verifier = new ChainVerifier({ ...options, publicKey: publicKey ?? null });
  for (const cp of checkpoints) verifier.pushCheckpoint(cp);
  for (const record of records) {
    verifier.push(record);
    if (verifier.failed) break;
  }
  return verifier.finish();
}
