import type { EventQuery } from "./ledger-store.js";

/** A query's filters as SQL conditions, AND-ed, with their bound values in order. */
export interface EventFilters {
  where: string[];
  params: (string | number)[];
}

export interface FilterOptions {
  /** Prepended to each column name (a table alias such as "e."). */
  column?: string;
  /**
   * SQLite only: "+" before a column keeps the planner off that column's index, so a query
   * that must walk a seq range (the unindexed tail, see sqlite/lookup-query.ts) does.
   */
  unindexed?: boolean;
  /** Filters another part of the query already applies. */
  omit?: readonly (keyof EventQuery)[];
  /** Replaces `after_seq` as the lower bound on seq (exclusive). */
  afterSeq?: number;
}

/**
 * The filters of `LedgerStore.query`, shared by both adapters. Values are always bound
 * parameters; only the placeholder style differs (`?` for SQLite, `$1…` for PostgreSQL).
 * `timestamp_utc` compares as text: ISO-8601 UTC strings sort
 * chronologically byte by byte (PostgreSQL declares the column COLLATE "C").
 */
export function eventFilters(
  q: EventQuery,
  placeholder: (index: number) => string,
  options: FilterOptions = {},
): EventFilters {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const column = (name: string) => `${options.unindexed ? "+" : ""}${options.column ?? ""}${name}`;
  const add = (key: keyof EventQuery, clause: string, value: string | number | undefined) => {
    if (value === undefined || options.omit?.includes(key)) return;
    params.push(value);
    where.push(`${clause} ${placeholder(params.length)}`);
  };
  add("trace_id", `${column("trace_id")} =`, q.trace_id);
  add("actor", `${column("actor_user")} =`, q.actor);
  add("event_type", `${column("event_type")} =`, q.event_type);
  add("since", `${column("timestamp_utc")} >=`, q.since);
  // seq is the primary key on both databases: never "+"-ed, it is the range to walk.
  add("after_seq", `${options.column ?? ""}seq >`, options.afterSeq ?? q.after_seq);
  return { where, params };
}

/** `WHERE a AND b` (or nothing). */
export function whereClause(conditions: readonly string[]): string {
  return conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "";
}

/** The whole `LedgerStore.query` as one statement: filters AND-ed, keyset pagination on seq, oldest first. */
export function buildEventQuery(
  q: EventQuery,
  limit: number,
  placeholder: (index: number) => string,
): { sql: string; params: (string | number)[] } {
  const { where, params } = eventFilters(q, placeholder);
  params.push(limit);
  return {
    sql: `SELECT record, hash FROM audit_events${whereClause(where)} ORDER BY seq LIMIT ${placeholder(params.length)}`,
    params,
  };
}
