import { LookupField } from "./lookup-query.js";

/** One lookup entry: a value's seqs within a window, ready to insert. */
export interface LookupEntry {
  field: LookupField;
  value: string;
  lastSeq: number;
  /** The seqs as a JSON array, ascending: what json_each reads back. */
  seqs: string;
}

/**
 * The trace ids and actors of the events after `through_seq`, grouped by value in the writer's
 * memory as the events are inserted, so that indexing them is a run of inserts and not a scan
 * and a sort of the window's rows (which stalled the writer for ~100 ms every window).
 *
 * The window only ever holds committed rows `(base, end]` (the writer drops it when an append
 * fails), so it stays valid for as long as `base` is the database's `through_seq` and `end`
 * is its head. Anything else (a restart, another process appending to or indexing the same
 * file) is seen by the writer under the write lock, and the window is rebuilt or caught up
 * from the rows (`load`).
 */
export class LookupWindow {
  private readonly traces = new Map<string, number[]>();
  private readonly actors = new Map<string, number[]>();
  /** The through_seq the window starts after; -1: no window (rebuild before use). */
  private baseSeq = -1;
  private endSeq = -1;

  get base(): number {
    return this.baseSeq;
  }

  get end(): number {
    return this.endSeq;
  }

  /** Empties the window: it now starts after `through`. */
  reset(through: number): void {
    this.traces.clear();
    this.actors.clear();
    this.baseSeq = through;
    this.endSeq = through;
  }

  /** Forgets everything: the next append rebuilds the window from the rows. */
  invalidate(): void {
    this.reset(-1);
  }

  /** Adds the event at `seq`, which must be the one after `end`. */
  add(seq: number, traceId: string, actorUser: string | null): void {
    if (seq !== this.endSeq + 1) throw new Error(`lookup window at ${this.endSeq} cannot take seq ${seq}`);
    push(this.traces, traceId, seq);
    if (actorUser !== null) push(this.actors, actorUser, seq);
    this.endSeq = seq;
  }

  /** The window's entries: one per field and value, values in order so the inserts walk the B-tree once. */
  *entries(): Generator<LookupEntry> {
    for (const [field, values] of [
      [LookupField.TraceId, this.traces],
      [LookupField.ActorUser, this.actors],
    ] as const) {
      for (const value of [...values.keys()].sort()) {
        const seqs = values.get(value)!;
        yield { field, value, lastSeq: seqs.at(-1)!, seqs: JSON.stringify(seqs) };
      }
    }
  }
}

function push(values: Map<string, number[]>, value: string, seq: number): void {
  const seqs = values.get(value);
  if (seqs) seqs.push(seq);
  else values.set(value, [seq]);
}
