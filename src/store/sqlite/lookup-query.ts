import { Column } from "../event-encoding.js";
import { eventFilters, whereClause } from "../event-query.js";
import type { EventQuery } from "../ledger-store.js";

/**
 * Queries by trace_id, actor or event_type on SQLite, which indexes those columns in bulk
 * rather than row by row (migrations 4 and 5, SqliteWriter): `audit_lookup` lists, per value
 * and stretch of seq, the seqs of every event up to `audit_lookup_progress.through_seq`; the
 * events after it, a few tens of thousands at most, are found by walking their seq range.
 *
 * So a query is two statements: the indexed part (lookup entries ≤ through, joined to their
 * rows), then, if the page is not full, the tail (rows > through). Any `through` read before
 * the two is correct, whatever the writer does meanwhile: the ledger is append-only, so the
 * entries up to a published `through` never change, and rows after it stay rows after it.
 */
export const LookupField = { TraceId: 1, ActorUser: 2, EventType: 3 } as const;
export type LookupField = (typeof LookupField)[keyof typeof LookupField];

/**
 * The looked-up columns, narrowest first: a query filtering on several walks the first one's
 * entries (a trace has a handful of events, an actor thousands, an event type millions).
 */
export const LOOKUP_FIELDS = [
  { field: LookupField.TraceId, column: "trace_id", encoded: Column.TraceId, filter: "trace_id" },
  { field: LookupField.ActorUser, column: "actor_user", encoded: Column.ActorUser, filter: "actor" },
  { field: LookupField.EventType, column: "event_type", encoded: Column.EventType, filter: "event_type" },
] as const satisfies readonly {
  field: LookupField;
  /** The audit_events column, and the same column in an encoded batch. */
  column: string;
  encoded: Column;
  /** The query filter on it. */
  filter: keyof EventQuery;
}[];

/** How far the lookup goes: every event up to this seq has its entries. */
export const LOOKUP_THROUGH_SQL = "SELECT through_seq FROM audit_lookup_progress WHERE id = 1";

export interface Statement {
  sql: string;
  params: (string | number)[];
}

/** The field `q` is answered through (its narrowest looked-up filter), or undefined for none. */
export function lookupKey(q: EventQuery): (typeof LOOKUP_FIELDS)[number] | undefined {
  return LOOKUP_FIELDS.find((f) => q[f.filter] !== undefined);
}

/** Entries up to `through` of the query's lookup key (see lookupKey), in seq order. */
export function indexedPart(
  q: EventQuery,
  key: (typeof LOOKUP_FIELDS)[number],
  through: number,
  limit: number,
): Statement {
  const { where, params } = eventFilters(q, () => "?", { column: "e.", omit: [key.filter, "after_seq"] });
  const after = q.after_seq ?? 0;
  // CROSS JOIN fixes the loop order: walk the value's entries in last_seq order, each entry's
  // seqs in array order, and fetch each row by its seq. That is seq order (stretches never
  // overlap), so the sort SQLite adds for j.key stays within one entry and LIMIT stops the walk.
  return {
    sql: `SELECT e.record, e.hash FROM audit_lookup l CROSS JOIN json_each(l.seqs) j
      CROSS JOIN audit_events e ON e.seq = j.value${whereClause([
        "l.field = ?",
        "l.value = ?",
        "l.last_seq > ?",
        "l.last_seq <= ?",
        "j.value > ?",
        ...where,
      ])} ORDER BY l.last_seq, j.key LIMIT ?`,
    params: [key.field, q[key.filter]!, after, through, after, ...params, limit],
  };
}

/** Rows after `through` (and after `after_seq`): a walk of that seq range, no index but the key. */
export function tailPart(q: EventQuery, through: number, limit: number): Statement {
  const afterSeq = Math.max(q.after_seq ?? 0, through);
  const { where, params } = eventFilters(q, () => "?", { unindexed: true, afterSeq });
  return {
    sql: `SELECT record, hash FROM audit_events${whereClause(where)} ORDER BY seq LIMIT ?`,
    params: [...params, limit],
  };
}
