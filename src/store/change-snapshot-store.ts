/**
 * The state of a resource before and after a write, kept with the trace, so `bridle rollback
 * TRACE_ID` knows what to restore and can tell when the resource drifted since.
 */
export interface ChangeSnapshot {
  trace_id: string;
  tool: string;
  args: Record<string, unknown>;
  before: unknown;
  after: unknown;
  taken_at: string;
  rolled_back_by: string | null;
}

export interface ChangeSnapshotStore {
  save(snapshot: Omit<ChangeSnapshot, "rolled_back_by">): Promise<void>;
  get(traceId: string): Promise<ChangeSnapshot | null>;
  /** Marks the change rolled back by `byTraceId`; false if it already was (a rollback runs once). */
  markRolledBack(traceId: string, byTraceId: string): Promise<boolean>;
}

export interface SnapshotRow {
  trace_id: string;
  tool: string;
  args: string;
  before_state: string;
  after_state: string | null;
  taken_at: string;
  rolled_back_by: string | null;
}

export function snapshotFromRow(row: SnapshotRow): ChangeSnapshot {
  return {
    trace_id: row.trace_id,
    tool: row.tool,
    args: JSON.parse(row.args) as Record<string, unknown>,
    before: JSON.parse(row.before_state) as unknown,
    after: row.after_state === null ? null : (JSON.parse(row.after_state) as unknown),
    taken_at: row.taken_at,
    rolled_back_by: row.rolled_back_by,
  };
}

export function snapshotParams(s: Omit<ChangeSnapshot, "rolled_back_by">): unknown[] {
  return [
    s.trace_id,
    s.tool,
    JSON.stringify(s.args),
    JSON.stringify(s.before),
    JSON.stringify(s.after ?? null),
    s.taken_at,
  ];
}
