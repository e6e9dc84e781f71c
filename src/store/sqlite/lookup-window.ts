import { LOOKUP_FIELDS, type LookupField } from "./lookup-query.js";

/** One lookup entry: a value's seqs within a window, ready to insert. */
export interface LookupEntry {
  field: LookupField;
  value: string;
  lastSeq: number;
  /** The seqs as a JSON array, ascending: what json_each reads back. */
  seqs: string;
}

/** An event's lookup values, in LOOKUP_FIELDS order (null: the event has none, e.g. no actor). */
export type LookupValues = readonly (string | null)[];

/**
 * The lookup values (trace id, actor, event type) of the events after `through_seq`, grouped
 * by value in the writer's memory as the events are inserted, so that indexing them is a run
 * of inserts and not a scan and a sort of the window's rows (which stalled the writer for
 * ~100 ms every window).
 *
 * The window only ever holds committed rows `(base, end]` (the writer drops it when an append
 * fails), so it stays valid for as long as `base` is the database's `through_seq` and `end`
 * is its head. Anything else (a restart, another process appending to or indexing the same
 * file) is seen by the writer under the write lock, and it rebuilds or catches up the window
 * from the rows.
 */
export class LookupWindow {
  /** Per field, in LOOKUP_FIELDS order: value → its seqs, ascending. */
  private readonly groups = LOOKUP_FIELDS.map(() => new Map<string, number[]>());
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
    for (const group of this.groups) group.clear();
    this.baseSeq = through;
    this.endSeq = through;
  }

  /** Forgets everything: the next append rebuilds the window from the rows. */
  invalidate(): void {
    this.reset(-1);
  }

  /** Adds the event at `seq`, which must be the one after `end`. */
  add(seq: number, values: LookupValues): void {
    if (seq !== this.endSeq + 1) throw new Error(`lookup window at ${this.endSeq} cannot take seq ${seq}`);
    for (let f = 0; f < this.groups.length; f++) {
      const value = values[f];
      if (value === null || value === undefined) continue;
      const group = this.groups[f]!;
      const seqs = group.get(value);
      if (seqs) seqs.push(seq);
      else group.set(value, [seq]);
    }
    this.endSeq = seq;
  }

  /** The window's entries: one per field and value, values in order so the inserts walk the B-tree once. */
  *entries(): Generator<LookupEntry> {
    for (let f = 0; f < this.groups.length; f++) {
      const group = this.groups[f]!;
      for (const value of [...group.keys()].sort()) {
        const seqs = group.get(value)!;
        yield { field: LOOKUP_FIELDS[f]!.field, value, lastSeq: seqs.at(-1)!, seqs: JSON.stringify(seqs) };
      }
    }
  }
}
