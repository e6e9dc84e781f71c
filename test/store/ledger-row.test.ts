import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AuditEvent } from "../../src/core/audit/event.js";
import { canonicalJson, chainBatch, recordHash } from "../../src/core/ledger/record.js";
import {
  chainTexts,
  clampLimit,
  type PreparedEvent,
  prepareEvent,
  recordFromRow,
  recordsOf,
} from "../../src/store/ledger-row.js";

/** What a store does with a batch: chain the texts, then rebuild the records. */
function seal(prepared: PreparedEvent[], head: { seq: number; hash: string } | null) {
  const { texts, batch } = chainTexts(prepared, head);
  return recordsOf(prepared, batch).map((record, i) => ({ record, text: texts[i]! }));
}

import { makeEvent } from "./events.js";

const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<unknown>;
const arbitraryEvent = fc
  .record({
    data: fc.dictionary(fc.string(), json),
    validation: json,
    trace_id: fc.string(),
    extra: fc.option(json, { nil: undefined }),
  })
  .map(({ extra, ...over }) => ({
    ...makeEvent(over as Partial<AuditEvent>),
    ...(extra === undefined ? {} : { extra }),
  }));

describe("sealing a batch for storage", () => {
  it("stores the canonical text recordHash hashes, and chains like chainBatch", () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { minLength: 1, maxLength: 5 }), fc.nat(1000), (events, seq) => {
        const head = seq === 0 ? null : { seq, hash: "f".repeat(64) };
        const sealed = seal(events.map(prepareEvent), head);
        const reference = chainBatch(events, head);
        for (const [i, { record, text }] of sealed.entries()) {
          const { hash, ...unhashed } = record;
          expect(text).toBe(canonicalJson(unhashed));
          expect(hash).toBe(recordHash(unhashed));
          expect(record).toEqual(reference[i]);
          expect(recordFromRow(text, hash)).toEqual(JSON.parse(JSON.stringify(record)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("drops chain fields an event already carries instead of hashing them", () => {
    const old = chainBatch([makeEvent()], null)[0]!;
    const { record, text } = seal([prepareEvent(old)], { seq: 7, hash: "e".repeat(64) })[0]!;
    expect(record.seq).toBe(8);
    expect(text).not.toContain(old.hash);
    const { hash, ...unhashed } = record;
    expect(recordHash(unhashed)).toBe(hash);
  });

  it("refuses a value JSON cannot carry before any row is written", () => {
    expect(() => prepareEvent(makeEvent({ data: { n: 1n } }))).toThrow();
  });

  it("clamps a query limit into [0, 1000]", () => {
    expect([-5, 0, 0.5, 1, 999.9, 1000, 5000, Number.NaN, Number.POSITIVE_INFINITY].map(clampLimit)).toEqual([
      0, 0, 0, 1, 999, 1000, 1000, 0, 1000,
    ]);
  });
});
