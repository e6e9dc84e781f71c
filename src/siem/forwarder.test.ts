import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type Collector, recordingSleep, startCollector, waitFor } from "../../test/support/collector.js";
import { MemoryLedgerStore, sampleEvents } from "../../test/support/memory-ledger-store.js";
import type { LedgerRecord } from "../core/ledger/record.js";
import { encodeRecord } from "./formats.js";
import { createForwarder, type ForwarderOptions } from "./forwarder.js";

const TOKEN = "hec-0f9a7c1e-token";
const CURSOR = "siem";
let collector: Collector;

afterEach(async () => {
  await collector?.close();
});

async function ledgerOf(count: number): Promise<MemoryLedgerStore> {
  const store = new MemoryLedgerStore();
  await store.append(sampleEvents(count));
  return store;
}

function splunkOptions(
  store: MemoryLedgerStore,
  overrides: Partial<ForwarderOptions> = {},
): ForwarderOptions {
  return {
    store,
    cursorName: CURSOR,
    target: { kind: "splunk_hec", url: collector.url, token: TOKEN, host: "gw-test" },
    batchSize: 4,
    maxBatchBytes: 1024 * 1024,
    timeoutMs: 2000,
    backoff: { initialMs: 100, maxMs: 1000 },
    ...overrides,
  };
}

function splunkSeqs(): number[] {
  return collector.splunkEvents.map((envelope) => (envelope.event as LedgerRecord).seq);
}

describe("forwarding to Splunk HEC", () => {
  it("delivers every record in seq order, one batch per runOnce", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(10);
    const forwarder = createForwarder(splunkOptions(store));
    expect(await forwarder.runOnce()).toEqual({ sent: 4, lastSeq: 4 });
    expect(await forwarder.runOnce()).toEqual({ sent: 4, lastSeq: 8 });
    expect(await forwarder.runOnce()).toEqual({ sent: 2, lastSeq: 10 });
    expect(await forwarder.runOnce()).toEqual({ sent: 0, lastSeq: 10 });
    expect(splunkSeqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(collector.requests).toHaveLength(3);
    const stored = await store.readRange(1, 10);
    expect(collector.splunkEvents.map((e) => e.event)).toEqual(stored);
    expect(collector.splunkEvents[0]).toMatchObject({
      host: "gw-test",
      source: "bridle",
      sourcetype: "bridle:audit",
    });
  });

  it("moves the durable cursor only when the collector acknowledged the batch", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(6);
    const forwarder = createForwarder(splunkOptions(store));
    collector.failNext(1, { status: 503, body: { text: "Server is busy", code: 9 } });
    await expect(forwarder.runOnce()).rejects.toMatchObject({ code: "UPSTREAM_ERROR" });
    expect(await store.getCursor(CURSOR)).toBe(0);
    await forwarder.runOnce();
    expect(await store.getCursor(CURSOR)).toBe(4);
    expect(splunkSeqs()).toEqual([1, 2, 3, 4]);
  });

  it("a new forwarder on the same store continues from the durable cursor", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(5);
    await createForwarder(splunkOptions(store, { batchSize: 3 })).runOnce();
    await store.append(sampleEvents(3, Date.UTC(2025, 0, 16)));
    const restarted = createForwarder(splunkOptions(store, { batchSize: 100 }));
    expect(await restarted.runOnce()).toEqual({ sent: 5, lastSeq: 8 });
    expect(splunkSeqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("respects the record and byte limits of a batch", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(12);
    const options = splunkOptions(store);
    const sizes = (await store.readRange(1, 12)).map((r) =>
      Buffer.byteLength(encodeRecord(options.target, r, r, "gw-test")),
    );
    const maxBatchBytes = Math.floor(Math.min(...sizes) * 2.5);
    const forwarder = createForwarder(splunkOptions(store, { batchSize: 5, maxBatchBytes }));
    while ((await forwarder.runOnce()).sent > 0) {}
    expect(splunkSeqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const request of collector.requests) {
      expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(maxBatchBytes);
      expect(request.body.trim().split("\n").length).toBeLessThanOrEqual(2);
    }
    expect(collector.requests).toHaveLength(6);
  });

  it("sends a record larger than max_batch_bytes alone, and says so", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(3);
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(line) });
    const forwarder = createForwarder(splunkOptions(store, { maxBatchBytes: 100, logger }));
    while ((await forwarder.runOnce()).sent > 0) {}
    expect(collector.requests.map((r) => r.body.trim().split("\n").length)).toEqual([1, 1, 1]);
    expect(splunkSeqs()).toEqual([1, 2, 3]);
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(
      Array(3).fill("SIEM record exceeds max_batch_bytes; sent alone"),
    );
  });

  it("sends the mapped payload when the format is ocsf", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(2);
    const transform = (r: LedgerRecord) => ({
      class_uid: 6003,
      metadata: { uid: r.hash },
      time: Date.parse(r.timestamp_utc),
    });
    await createForwarder(splunkOptions(store, { format: "ocsf", transform })).runOnce();
    const [first] = await store.readRange(1, 1);
    expect(collector.splunkEvents[0]?.event).toEqual(transform(first!));
    expect(collector.splunkEvents[0]?.fields).toEqual({ bridle_seq: "1", bridle_hash: first!.hash });
  });

  it("the loop drains the backlog, picks up new records, and stops on request", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(9);
    const { delays, sleep } = recordingSleep();
    const forwarder = createForwarder(splunkOptions(store, { sleep, idlePollMs: 250 }));
    forwarder.start();
    await waitFor(async () => (await store.getCursor(CURSOR)) === 9);
    await store.append(sampleEvents(2, Date.UTC(2025, 0, 17)));
    await waitFor(async () => (await store.getCursor(CURSOR)) === 11);
    await forwarder.stop();
    expect(forwarder.status()).toMatchObject({
      running: false,
      lastSeq: 11,
      delivered: 11,
      consecutiveFailures: 0,
    });
    expect(splunkSeqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // Backlog is sent back to back; only an empty read waits, and it waits the idle poll.
    expect(new Set(delays)).toEqual(new Set([250]));
  });
});

it("stop() wakes a forwarder that is waiting out a long idle poll", async () => {
  collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
  const store = await ledgerOf(1);
  const forwarder = createForwarder(splunkOptions(store, { idlePollMs: 60_000 }));
  forwarder.start();
  await waitFor(async () => (await store.getCursor(CURSOR)) === 1);
  await waitFor(() => collector.requests.length === 1);
  const started = performance.now();
  await forwarder.stop();
  expect(performance.now() - started).toBeLessThan(1000);
  expect(forwarder.status().running).toBe(false);
});

describe("forwarding to Elasticsearch bulk", () => {
  it("creates one document per record, keyed by its chain hash, in seq order", async () => {
    collector = await startCollector({ authorization: "ApiKey ZWxhc3RpYzprZXk=" });
    const store = await ledgerOf(7);
    const forwarder = createForwarder({
      ...splunkOptions(store),
      target: {
        kind: "elastic_bulk",
        url: collector.url,
        token: "ZWxhc3RpYzprZXk=",
        index: "bridle-audit-zyx",
      },
    });
    while ((await forwarder.runOnce()).sent > 0) {}
    const stored = await store.readRange(1, 7);
    expect([...collector.elasticDocs.keys()]).toEqual(stored.map((r) => r.hash));
    expect(collector.elasticDocs.get(stored[0]!.hash)).toEqual({
      index: "bridle-audit-zyx",
      doc: { "@timestamp": stored[0]!.timestamp_utc, ...stored[0] },
    });
    expect(collector.requests[0]?.headers["content-type"]).toBe("application/x-ndjson");
    expect(await store.getCursor(CURSOR)).toBe(7);
  });
});
