import { describe, expect, it } from "vitest";
import { lastOf } from "../../src/store/ledger-row.js";
import { LedgerSink } from "../../src/store/ledger-sink.js";
import { SqliteLedgerStore } from "../../src/store/sqlite/sqlite-ledger-store.js";
import { expectIntactChain, readAll } from "./chain.js";
import { makeEvent } from "./events.js";

const memoryStore = () => new SqliteLedgerStore(":memory:");

describe("LedgerSink group commit", () => {
  it("commits events queued in the same tick together, in order, and acks after the commit", async () => {
    const store = memoryStore();
    const commits: number[][] = [];
    const sink = new LedgerSink(store, {
      onCommitted: (b) => void commits.push(Array.from({ length: b.count }, (_, i) => b.after.seq + i + 1)),
    });
    const acked = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        sink.appendRecord(makeEvent({ id: `e${i}` })).then(async (record) => {
          // At the moment of the acknowledgement the record is already in the store.
          const [stored] = await store.readRange(record.seq, 1);
          return { record, stored };
        }),
      ),
    );
    await sink.flush();
    expect(commits).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
    expect(acked.map((a) => a.record.data.id)).toEqual(acked.map((_, i) => `e${i}`));
    for (const { record, stored } of acked) expect(stored).toEqual(record);
    await sink.close();
  });

  it("never puts more than maxBatch events in one commit", async () => {
    const store = memoryStore();
    const sizes: number[] = [];
    const sink = new LedgerSink(store, { maxBatch: 5, onCommitted: (b) => void sizes.push(b.count) });
    await sink.appendMany(Array.from({ length: 12 }, (_, i) => makeEvent({ id: `e${i}` })));
    await sink.flush();
    expect(sizes).toEqual([5, 5, 2]);
    expectIntactChain(await readAll(store));
    await sink.close();
  });

  it("batches what arrives while a commit is in flight", async () => {
    const store = memoryStore();
    const sizes: number[] = [];
    const sink = new LedgerSink(store, { onCommitted: (b) => void sizes.push(b.count) });
    const first = sink.append(makeEvent({ id: "first" }));
    await Promise.resolve(); // the first commit has started
    const rest = Array.from({ length: 30 }, (_, i) => sink.append(makeEvent({ id: `r${i}` })));
    await Promise.all([first, ...rest]);
    await sink.flush();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(31);
    expect(sizes.length).toBeLessThanOrEqual(3);
    await sink.close();
  });

  it("flush waits for queued events; close drains, then refuses new ones and closes the store", async () => {
    const store = memoryStore();
    const sink = new LedgerSink(store);
    const pending = Array.from({ length: 100 }, (_, i) => sink.appendRecord(makeEvent({ id: `e${i}` })));
    await sink.flush();
    expect((await store.head())?.seq).toBe(100);
    const late = sink.appendRecord(makeEvent({ id: "late" }));
    await sink.close();
    expect((await late).seq).toBe(101);
    await Promise.all(pending);
    await expect(sink.append(makeEvent())).rejects.toThrow(/closed/);
    await expect(store.head()).rejects.toThrow();
  });

  it("a failing onCommitted hook is reported and does not un-acknowledge anything", async () => {
    const store = memoryStore();
    const errors: unknown[] = [];
    const seen: number[] = [];
    const sink = new LedgerSink(store, {
      onCommitted: (b) => {
        seen.push(lastOf(b)!.seq);
        throw new Error("checkpoint signer down");
      },
      onHookError: (e) => errors.push(e),
    });
    await sink.appendMany([makeEvent(), makeEvent()]);
    await sink.append(makeEvent());
    await sink.flush();
    expect(seen).toEqual([2, 3]);
    expect(errors).toHaveLength(2);
    await sink.close();
  });

  it("rejects every event when the store cannot commit", async () => {
    const store = memoryStore();
    const sink = new LedgerSink(store);
    await store.close();
    const results = await Promise.allSettled([sink.append(makeEvent()), sink.append(makeEvent())]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });

  it("refuses an event JSON cannot carry to its caller alone; the rest of the batch commits", async () => {
    const store = memoryStore();
    const sink = new LedgerSink(store);
    const results = await Promise.allSettled([
      sink.appendRecord(makeEvent({ id: "a" })),
      sink.append(makeEvent({ id: "bad", data: { n: Number.NaN } })),
      sink.appendRecord(makeEvent({ id: "b" })),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await readAll(store)).map((r) => r.data.id)).toEqual(["a", "b"]);
    expectIntactChain(await readAll(store));
    await sink.close();
  });
});
