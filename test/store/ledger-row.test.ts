import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AuditEvent } from "../../src/core/audit/event.js";
import { canonicalJson, chainBatch, recordHash } from "../../src/core/ledger/record.js";
import { sealBatch, sealedRecord } from "../../src/store/batch-sealing.js";
import {
  BatchEncoder,
  Column,
  columnString,
  type EncodedBatch,
  encodeEvents,
} from "../../src/store/event-encoding.js";
import { clampLimit, recordFromRow, recordsOf } from "../../src/store/ledger-row.js";

/** What a store does with events: encode, seal inside the lock, rebuild the records. */
function seal(events: readonly AuditEvent[], head: { seq: number; hash: string } | null) {
  const batch = encodeEvents(events);
  const sealed = sealBatch(batch, head);
  return recordsOf(events, sealed).map((record, i) => ({ record, text: texts(batch)[i]! }));
}

/** The batch's records as sealed (in place, in its bytes). */
function texts(batch: EncodedBatch): string[] {
  return Array.from({ length: batch.count }, (_, i) => new TextDecoder().decode(sealedRecord(batch, i)));
}

function columns(batch: EncodedBatch, i: number) {
  return [Column.TimestampUtc, Column.EventType, Column.TraceId, Column.ActorUser].map((c) =>
    columnString(batch, i, c),
  );
}

import { makeEvent } from "./events.js";

// Any UTF-16 code units, lone surrogates included: the byte offsets must hold for them too.
const anyString = fc.string({ unit: "binary" });
const json = fc.jsonValue({ maxDepth: 4, stringUnit: "binary" }) as fc.Arbitrary<unknown>;
const arbitraryEvent = fc
  .record({
    data: fc.dictionary(anyString, json),
    validation: json,
    trace_id: anyString,
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
        const sealed = seal(events, head);
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

  it("seals a batch again after another head, whatever the digits of seq before and after", () => {
    const anySeq = fc.oneof(fc.nat(20), fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER - 10));
    fc.assert(
      fc.property(
        fc.array(arbitraryEvent, { minLength: 1, maxLength: 4 }),
        fc.array(
          fc.tuple(
            anySeq,
            fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 }),
          ),
          {
            minLength: 2,
            maxLength: 4,
          },
        ),
        (events, heads) => {
          const batch = encodeEvents(events);
          for (const [seq, hash] of heads) {
            const head = seq === 0 ? null : { seq, hash };
            const sealed = sealBatch(batch, head);
            const fresh = seal(events, head);
            expect(texts(batch)).toEqual(fresh.map((s) => s.text));
            expect(recordsOf(events, sealed)).toEqual(fresh.map((s) => s.record));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("drops chain fields an event already carries instead of hashing them", () => {
    const old = chainBatch([makeEvent()], null)[0]!;
    const { record, text } = seal([old], { seq: 7, hash: "e".repeat(64) })[0]!;
    expect(record.seq).toBe(8);
    expect(text).not.toContain(old.hash);
    const { hash, ...unhashed } = record;
    expect(recordHash(unhashed)).toBe(hash);
  });

  it("refuses a value JSON cannot carry, and the batch is as it was before", () => {
    const encoder = new BatchEncoder(1024, 1);
    encoder.add(makeEvent({ id: "first" }));
    for (const bad of [1n, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => encoder.add(makeEvent({ data: { n: bad } }))).toThrow(/audit ledger/);
    }
    expect(() => encoder.add(makeEvent({ trace_id: 7 as unknown as string }))).toThrow(/trace_id/);
    encoder.add(makeEvent({ id: "second" }));
    const batch = encoder.finish();
    sealBatch(batch, null);
    expect(texts(batch).map((t) => JSON.parse(t).data.id)).toEqual(["first", "second"]);
  });

  it("carries the lookup columns beside each record, U+FFFD for what a database cannot hold", () => {
    const actor = { ...makeEvent().actor!, user: "é\u0000@zyxbank.example" };
    const batch = encodeEvents([
      makeEvent({ trace_id: "t-\ud800", actor }),
      makeEvent({ event_type: "policy_decision", actor: null }),
    ]);
    expect(columns(batch, 0)).toEqual([
      "2026-05-01T10:00:00.000Z",
      "tool_call",
      "t-\ufffd",
      "é\ufffd@zyxbank.example",
    ]);
    expect(columns(batch, 1)).toEqual(["2026-05-01T10:00:00.000Z", "policy_decision", "trace-0001", null]);
  });

  it("grows its buffers for a batch far larger than it started with", () => {
    const encoder = new BatchEncoder(1024, 1);
    const events = Array.from({ length: 300 }, (_, i) =>
      makeEvent({ id: `e${i}`, data: { big: "ü".repeat(i * 7) } }),
    );
    for (const event of events) encoder.add(event);
    const sealed = seal(events, null);
    const batch = encoder.finish();
    sealBatch(batch, null);
    expect(texts(batch)).toEqual(sealed.map((s) => s.text));
    for (const { record, text } of sealed)
      expect(text).toBe(canonicalJson((({ hash, ...rest }) => rest)(record)));
  });

  it("clamps a query limit into [0, 1000]", () => {
    expect([-5, 0, 0.5, 1, 999.9, 1000, 5000, Number.NaN, Number.POSITIVE_INFINITY].map(clampLimit)).toEqual([
      0, 0, 0, 1, 999, 1000, 1000, 0, 1000,
    ]);
  });
});
