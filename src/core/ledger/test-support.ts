import { generateKeyPairSync, type KeyObject } from "node:crypto";
import type { AuditEvent } from "../audit/event.js";
import { type Checkpoint, signCheckpoint } from "./checkpoint.js";
import { chainBatch, type LedgerRecord, recordHash } from "./record.js";

/** Fixtures for the ledger tests: realistic events, a chain, its signed checkpoints. */

export function keyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("ed25519");
}

export function sampleEvent(i: number): AuditEvent {
  const call = i % 3 !== 0;
  return {
    timestamp_utc: new Date(Date.UTC(2026, 4, 22, 9, 0, i)).toISOString(),
    event_type: call ? "policy_decision" : "tool_call",
    trace_id: `ai-20260522-${(i % 97).toString(16).padStart(12, "0")}`,
    actor: {
      user: i % 2 ? "engineer@zyxbank.example" : "reviewer@zyxbank.example",
      groups: ["grp-ai-users", "grp-ai-devops-readonly"],
      device_compliant: true,
      authenticated_by: "dev-headers",
      agent: null,
      delegation_chain: [],
    },
    tool: { name: "jira_read", args: { ticket: `CHG-${18000 + i}`, note: "ünïcødé ✓" } },
    decisions: call
      ? [
          {
            tool_name: "jira_read",
            allowed: true,
            reason: "authorized",
            reasons: [],
            approval_required: false,
          },
        ]
      : null,
    policy: { version: "2026-05-22", sha256: "ab".repeat(32) },
    model: null,
    validation: null,
    approval: null,
    outcome: { status: "ok" },
    data: { stage: "call", workflow: "change_review", n: i },
  };
}

export function sampleChain(n: number): LedgerRecord[] {
  return chainBatch(
    Array.from({ length: n }, (_, i) => sampleEvent(i + 1)),
    null,
  );
}

/** A checkpoint after every `every`-th record, signed as the store would. */
export function checkpointsFor(
  records: readonly LedgerRecord[],
  every: number,
  privateKey: KeyObject,
): Checkpoint[] {
  return records
    .filter((r) => r.seq % every === 0)
    .map((r) => signCheckpoint({ seq: r.seq, hash: r.hash }, privateKey, r.timestamp_utc));
}

/** What an attacker with write access does: edit record `seq`, then re-hash it and every later one. */
export function forgeRehash(
  records: readonly LedgerRecord[],
  seq: number,
  edit: (r: LedgerRecord) => LedgerRecord,
): LedgerRecord[] {
  const out: LedgerRecord[] = [];
  let prev: string | null = null;
  for (const record of records) {
    if (record.seq < seq) {
      out.push(record);
      prev = record.hash;
      continue;
    }
    const edited = record.seq === seq ? edit(record) : record;
    const { hash: _old, ...unhashed } = { ...edited, prev_hash: prev ?? edited.prev_hash };
    const hash = recordHash(unhashed);
    out.push({ ...unhashed, hash });
    prev = hash;
  }
  return out;
}

/** A copy of `record` with `data.n` changed and its stale hash kept: a naive edit. */
export function editData(record: LedgerRecord, value: unknown = "edited"): LedgerRecord {
  return { ...record, data: { ...record.data, n: value } };
}
