import type { AuditDecision } from "../audit/event.js";
import type { CompiledKillSwitch, CompiledPolicy } from "../policy/compile.js";
import { type Decision, decide } from "../policy/gateway.js";
import { REASONS } from "../policy/reasons.js";
import type { LedgerRecord } from "./record.js";
import { type ReplayInput, replayInputs, type Stage, UNCERTAIN } from "./simulate-input.js";

/**
 * Policy simulation (`bridle policy simulate --policy NEW.yaml [--since 7d]`): every recorded
 * decision is replayed through the candidate policy and compared with what was decided then.
 * The gateway is a pure function, so a replay is exact wherever the ledger kept the inputs;
 * where it did not (redacted arguments, runtime kill switch, ticket lookups) the change is
 * still listed, marked `uncertain` with the reason.
 */
export type ChangeKind = "allow_to_deny" | "deny_to_allow" | "approval_added" | "approval_removed";

export interface DecisionOutcome {
  allowed: boolean;
  approval_required: boolean;
  reason: string;
  reasons: readonly string[];
}

export interface ChangedDecision {
  seq: number;
  trace_id: string;
  timestamp_utc: string;
  stage: Stage;
  tool: string;
  user: string;
  /** "reasons_changed": same outcome and approval, different reasons (the secondary list). */
  kind: ChangeKind | "reasons_changed";
  before: DecisionOutcome;
  after: DecisionOutcome;
  uncertain: boolean;
  uncertain_because: string[];
}

export type ChangeCounts = Record<ChangeKind, number> & { total: number };

export interface SimulationReport {
  candidate: { version: string; sha256: string };
  records_scanned: number;
  decisions_replayed: number;
  unchanged: number;
  /** allow↔deny and approval changes, in ledger order. */
  changes: ChangedDecision[];
  reason_changes: ChangedDecision[];
  counts: ChangeCounts;
  /** Sorted by total, most changes first. */
  by_tool: (ChangeCounts & { tool: string })[];
  by_user: (ChangeCounts & { user: string })[];
  uncertain: number;
  skipped: number;
  /** The first few records that could not be replayed, and why. */
  skipped_examples: { seq: number; reason: string }[];
}

export interface SimulateOptions {
  /** Apply today's runtime kill switch to every replay (default: none, the policy alone). */
  runtimeKillSwitch?: CompiledKillSwitch | null;
}

const KILL_SWITCH_REASONS: ReadonlySet<string> = new Set([
  REASONS.userDisabled,
  REASONS.connectorDisabled,
  REASONS.allWritesDisabled,
  REASONS.readOnly,
  REASONS.workflowDisabled,
]);
const MAX_SKIPPED_EXAMPLES = 20;

/** Streaming form, for records paged from the store. */
export class PolicySimulator {
  private scanned = 0;
  private replayed = 0;
  private readonly changes: ChangedDecision[] = [];
  private readonly reasonChanges: ChangedDecision[] = [];
  private readonly byTool = new Map<string, ChangeCounts>();
  private readonly byUser = new Map<string, ChangeCounts>();
  private skipped = 0;
  private readonly skippedExamples: { seq: number; reason: string }[] = [];

  constructor(
    private readonly candidate: CompiledPolicy,
    private readonly options: SimulateOptions = {},
  ) {}

  add(record: LedgerRecord): void {
    this.scanned++;
    if (record.event_type !== "policy_decision") return;
    const inputs = replayInputs(record);
    if ("skip" in inputs) this.skip(record.seq, inputs.skip);
    else for (const replay of inputs) this.compare(record, replay);
  }

  report(): SimulationReport {
    const counts = emptyCounts();
    for (const change of this.changes) bump(counts, change.kind as ChangeKind);
    return {
      candidate: { version: this.candidate.version, sha256: this.candidate.sha256 },
      records_scanned: this.scanned,
      decisions_replayed: this.replayed,
      unchanged: this.replayed - this.changes.length - this.reasonChanges.length,
      changes: this.changes,
      reason_changes: this.reasonChanges,
      counts,
      by_tool: ranked(this.byTool, "tool"),
      by_user: ranked(this.byUser, "user"),
      uncertain: this.changes.filter((c) => c.uncertain).length,
      skipped: this.skipped,
      skipped_examples: this.skippedExamples,
    };
  }

  private compare(record: LedgerRecord, replay: ReplayInput): void {
    this.replayed++;
    const after = decide(this.candidate, {
      ...replay.input,
      runtimeKillSwitch: this.options.runtimeKillSwitch ?? null,
    });
    const kind = changeKind(replay.recorded, after);
    if (kind === null) return;
    const uncertainBecause = [...replay.uncertainty];
    if (lostKillSwitchReason(replay.recorded, after)) uncertainBecause.push(UNCERTAIN.runtimeKillSwitch);
    const change: ChangedDecision = {
      seq: record.seq,
      trace_id: record.trace_id,
      timestamp_utc: record.timestamp_utc,
      stage: replay.stage,
      tool: replay.tool,
      user: replay.input.principal.email,
      kind,
      before: outcome(replay.recorded),
      after: outcome(after),
      uncertain: uncertainBecause.length > 0,
      uncertain_because: uncertainBecause,
    };
    if (kind === "reasons_changed") {
      this.reasonChanges.push(change);
      return;
    }
    this.changes.push(change);
    bump(countsFor(this.byTool, change.tool), kind);
    bump(countsFor(this.byUser, change.user), kind);
  }

  private skip(seq: number, reason: string): void {
    this.skipped++;
    if (this.skippedExamples.length < MAX_SKIPPED_EXAMPLES) this.skippedExamples.push({ seq, reason });
  }
}

export function simulatePolicy(
  records: Iterable<LedgerRecord>,
  candidate: CompiledPolicy,
  options: SimulateOptions = {},
): SimulationReport {
  const simulator = new PolicySimulator(candidate, options);
  for (const record of records) simulator.add(record);
  return simulator.report();
}

/** Approval changes count only when both decisions allow: on a denial the flag is moot. */
export function changeKind(before: AuditDecision, after: Decision): ChangeKind | "reasons_changed" | null {
  if (before.allowed && !after.allowed) return "allow_to_deny";
  if (!before.allowed && after.allowed) return "deny_to_allow";
  if (after.allowed && !before.approval_required && after.approval_required) return "approval_added";
  if (after.allowed && before.approval_required && !after.approval_required) return "approval_removed";
  return sameList(before.reasons, after.reasons) ? null : "reasons_changed";
}

/** A kill-switch reason the replay lost may have come from the unrecorded runtime switch. */
function lostKillSwitchReason(before: AuditDecision, after: Decision): boolean {
  return before.reasons.some((r) => KILL_SWITCH_REASONS.has(r) && !after.reasons.includes(r));
}

function outcome(d: AuditDecision | Decision): DecisionOutcome {
  return { allowed: d.allowed, approval_required: d.approval_required, reason: d.reason, reasons: d.reasons };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function emptyCounts(): ChangeCounts {
  return { allow_to_deny: 0, deny_to_allow: 0, approval_added: 0, approval_removed: 0, total: 0 };
}

function bump(counts: ChangeCounts, kind: ChangeKind): void {
  counts[kind]++;
  counts.total++;
}

function countsFor(map: Map<string, ChangeCounts>, key: string): ChangeCounts {
  let counts = map.get(key);
  if (!counts) {
    counts = emptyCounts();
    map.set(key, counts);
  }
  return counts;
}

function ranked<K extends "tool" | "user">(map: Map<string, ChangeCounts>, key: K) {
  return [...map.entries()]
    .sort(([a, x], [b, y]) => y.total - x.total || (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, counts]) => ({ [key]: name, ...counts }) as ChangeCounts & Record<K, string>);
}
