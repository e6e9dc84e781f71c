import type { EventQuery } from "./ledger-store.js";

/**
 * The SQL for `LedgerStore.query`, shared by both adapters: filters AND-ed, keyset pagination on
 * `seq`, oldest first. Values are always bound parameters; only the placeholder style differs
 * (`?` for SQLite, `$1…` for PostgreSQL). `timestamp_utc` compares as text: ISO-8601 UTC
 * strings sort chronologically byte by byte (PostgreSQL declares the column COLLATE "C").
 */
export function buildEventQuery(
  q: EventQuery,
  limit: number,
  placeholder: (index: number) => string,
): { sql: string; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, value: string | number) => {
    params.push(value);
    where.push(clause.replace("?", placeholder(params.length)));
  };
  if (q.trace_id !== undefined) add("trace_id = ?", q.trace_id);
  if (q.actor !== undefined) add("actor_user = ?", q.actor);
  if (q.event_type !== undefined) add("event_type = ?", q.event_type);
  if (q.since !== undefined) add("timestamp_utc >= ?", q.since);
  if (q.after_seq !== undefined) add("seq > ?", q.after_seq);
  params.push(limit);
  const filter = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
  return {
    sql: `SELECT record, hash FROM audit_events${filter} ORDER BY seq LIMIT ${placeholder(params.length)}`,
    params,
  };
}
