import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type Collector, recordingSleep, startCollector, waitFor } from "../../test/support/collector.js";
import { MemoryLedgerStore, sampleEvents } from "../../test/support/memory-ledger-store.js";
import type { LedgerRecord } from "../core/ledger/record.js";
import { createForwarder, type ForwarderOptions } from "./forwarder.js";

const TOKEN = "hec-5b2d-token";
const API_KEY = "ZWxhc3RpYzpzZWNyZXQ=";
const CURSOR = "siem";
let collector: Collector;

afterEach(async () => {
  await collector?.close();
});

/** A store whose next setCursor / readRange calls fail, as a crashed or unreachable database would. */
class FlakyStore extends MemoryLedgerStore {
  failSetCursor = 0;
  failReadRange = 0;

  override async setCursor(name: string, seq: number): Promise<void> {
    if (this.failSetCursor-- > 0) throw new Error("disk I/O error");
    return super.setCursor(name, seq);
  }

  override async readRange(fromSeq: number, limit: number): Promise<LedgerRecord[]> {
    if (this.failReadRange-- > 0) throw new Error("database is locked");
    return super.readRange(fromSeq, limit);
  }
}

async function ledgerOf(count: number): Promise<FlakyStore> {
  const store = new FlakyStore();
  await store.append(sampleEvents(count));
  return store;
}

function options(
  store: MemoryLedgerStore,
  kind: "splunk_hec" | "elastic_bulk",
  overrides: Partial<ForwarderOptions> = {},
) {
  const target =
    kind === "splunk_hec"
      ? { kind, url: collector.url, token: TOKEN, host: "gw-test" }
      : { kind, url: collector.url, token: API_KEY, index: "bridle-audit" };
  return {
    store,
    cursorName: CURSOR,
    target,
    batchSize: 4,
    maxBatchBytes: 1024 * 1024,
    timeoutMs: 1000,
    backoff: { initialMs: 100, maxMs: 1000, retryAfterCapMs: 20_000 },
    idlePollMs: 5000,
    random: () => 0.5,
    ...overrides,
  } satisfies ForwarderOptions;
}

const seqsOf = (c: Collector) => c.splunkEvents.map((e) => (e.event as LedgerRecord).seq);

describe("a collector outage loses nothing", () => {
  it("Splunk: 503 five times, then a hang past the timeout, then OK — every record, replays only from the lost answer", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(10);
    collector.failNext(5, { status: 503, body: { text: "Server is busy", code: 9 } });
    collector.failNext(1, { hang: true, accept: true });
    const { delays, sleep } = recordingSleep();
    const forwarder = createForwarder(options(store, "splunk_hec", { sleep }));
    forwarder.start();
    await waitFor(async () => (await store.getCursor(CURSOR)) === 10);
    await forwarder.stop();

    expect(collector.requests.map((r) => r.answered)).toEqual([
      503,
      503,
      503,
      503,
      503,
      "hang",
      200,
      200,
      200,
    ]);
    // Seqs 1-4 were indexed during the hang and sent again: at-least-once, nothing else repeated.
    expect(seqsOf(collector)).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Exponential backoff (equal jitter at 0.5 → 3/4 of the ceiling), capped at maxMs; then the idle poll.
    expect(delays.slice(0, 6)).toEqual([75, 150, 300, 600, 750, 750]);
    expect(new Set(delays.slice(6))).toEqual(new Set([5000]));
    expect(forwarder.status()).toMatchObject({ consecutiveFailures: 0, lastError: null, lastSeq: 10 });
  });

  it("Elastic: the same outage leaves exactly one document per record (the replay is answered 409)", async () => {
    collector = await startCollector({ authorization: `ApiKey ${API_KEY}` });
    const store = await ledgerOf(10);
    collector.failNext(5, {
      status: 503,
      body: { error: { type: "unavailable_shards_exception" }, status: 503 },
    });
    collector.failNext(1, { hang: true, accept: true });
    const { sleep } = recordingSleep();
    const forwarder = createForwarder(options(store, "elastic_bulk", { sleep }));
    forwarder.start();
    await waitFor(async () => (await store.getCursor(CURSOR)) === 10);
    await forwarder.stop();

    const stored = await store.readRange(1, 10);
    expect([...collector.elasticDocs.keys()]).toEqual(stored.map((r) => r.hash));
    expect(collector.requests[6]?.body).toBe(collector.requests[5]?.body);
    expect(forwarder.status()).toMatchObject({ delivered: 10, duplicates: 4 });
  });

  it("a timeout is reported as such and leaves the cursor where it was", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(3);
    collector.failNext(1, { hang: true });
    const started = performance.now();
    await expect(createForwarder(options(store, "splunk_hec")).runOnce()).rejects.toMatchObject({
      code: "UPSTREAM_TIMEOUT",
      detail: { retryable: true, from_seq: 1, to_seq: 3 },
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await store.getCursor(CURSOR)).toBe(0);
  });

  it("an unreachable collector is reported as unavailable", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const url = collector.url;
    await collector.close();
    const store = await ledgerOf(2);
    const forwarder = createForwarder({
      ...options(store, "splunk_hec"),
      target: { kind: "splunk_hec", url, token: TOKEN },
    });
    await expect(forwarder.runOnce()).rejects.toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
      message: /ECONNREFUSED/,
    });
    expect(await store.getCursor(CURSOR)).toBe(0);
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
  });

  it("a crash between the acknowledgement and the cursor write replays the batch instead of losing it", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(6);
    store.failSetCursor = 1;
    const forwarder = createForwarder(options(store, "splunk_hec"));
    await expect(forwarder.runOnce()).rejects.toThrow("disk I/O error");
    expect(await store.getCursor(CURSOR)).toBe(0);
    await forwarder.runOnce();
    await forwarder.runOnce();
    expect(seqsOf(collector)).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 5, 6]);
    const hashes = collector.splunkEvents.map((e) => (e.fields as Record<string, string>).bridle_hash);
    expect(new Set(hashes).size).toBe(6);
  });

  it("the loop outlives a ledger store failure and resumes where it was", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(5);
    store.failReadRange = 2;
    const { delays, sleep } = recordingSleep();
    const forwarder = createForwarder(options(store, "splunk_hec", { sleep }));
    forwarder.start();
    await waitFor(async () => (await store.getCursor(CURSOR)) === 5);
    await forwarder.stop();
    expect(delays.slice(0, 2)).toEqual([75, 150]);
    expect(seqsOf(collector)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("Elastic partial failures", () => {
  it("retries the whole batch when one item failed, and counts the already-created ones as delivered", async () => {
    collector = await startCollector({ authorization: `ApiKey ${API_KEY}` });
    const store = await ledgerOf(4);
    const stored = await store.readRange(1, 4);
    collector.failElasticItem(stored[2]!.hash, 500, "engine_closed_exception");
    const forwarder = createForwarder(options(store, "elastic_bulk"));
    await expect(forwarder.runOnce()).rejects.toMatchObject({
      code: "UPSTREAM_ERROR",
      message: /1 of 4 bulk items failed: engine_closed_exception \(500\)/,
      detail: { retryable: true },
    });
    expect(await store.getCursor(CURSOR)).toBe(0);
    expect(collector.elasticDocs.size).toBe(3);
    expect(await forwarder.runOnce()).toEqual({ sent: 4, lastSeq: 4 });
    expect(new Set(collector.elasticDocs.keys())).toEqual(new Set(stored.map((r) => r.hash)));
    expect(await store.getCursor(CURSOR)).toBe(4);
  });

  it("a document the cluster will never accept holds the cursor and backs off at the maximum", async () => {
    collector = await startCollector({ authorization: `ApiKey ${API_KEY}` });
    const store = await ledgerOf(4);
    const [first] = await store.readRange(1, 1);
    collector.failElasticItem(first!.hash, 400, "mapper_parsing_exception", 3);
    const { delays, sleep } = recordingSleep();
    const forwarder = createForwarder(options(store, "elastic_bulk", { sleep }));
    forwarder.start();
    await waitFor(async () => (await store.getCursor(CURSOR)) === 4);
    await forwarder.stop();
    expect(delays.slice(0, 3)).toEqual([1000, 1000, 1000]);
    expect(collector.elasticDocs.size).toBe(4);
  });
});

describe("configuration errors", () => {
  it("a 4xx is logged as a rejection, never skipped, and retried at the maximum backoff until fixed", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(6);
    collector.failNext(3, { status: 400, body: { text: "Incorrect index", code: 7 } });
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => lines.push(line) });
    const { delays, sleep } = recordingSleep();
    const forwarder = createForwarder(options(store, "splunk_hec", { sleep, logger }));
    forwarder.start();
    await waitFor(async () => (await store.getCursor(CURSOR)) === 6);
    await forwarder.stop();

    expect(delays.slice(0, 3)).toEqual([1000, 1000, 1000]);
    expect(seqsOf(collector)).toEqual([1, 2, 3, 4, 5, 6]);
    const rejections = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 50);
    expect(rejections).toHaveLength(3);
    expect(rejections[0]).toMatchObject({
      status: 400,
      reason: "HTTP 400: Incorrect index",
      from_seq: 1,
      to_seq: 4,
    });
    expect(rejections[0].msg).toMatch(/rejected the batch: check siem.target/);
    expect(lines.some((l) => JSON.parse(l).msg === "SIEM collector reachable again")).toBe(true);
  });

  it("runOnce marks a rejection as not retryable", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(1);
    collector.failNext(1, { status: 413, body: { text: "Content too large" } });
    await expect(createForwarder(options(store, "splunk_hec")).runOnce()).rejects.toMatchObject({
      code: "UPSTREAM_ERROR",
      detail: { retryable: false, status: 413 },
    });
  });
});

describe("Retry-After", () => {
  it("a 429's delta-seconds set the next wait", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(2);
    collector.failNext(1, { status: 429, headers: { "retry-after": "7" } });
    const { delays, sleep } = recordingSleep();
    const forwarder = createForwarder(options(store, "splunk_hec", { sleep }));
    forwarder.start();
    await waitFor(async () => (await store.getCursor(CURSOR)) === 2);
    await forwarder.stop();
    expect(delays[0]).toBe(7000);
  });

  it("an HTTP date is read against the injected clock, and any value is capped", async () => {
    collector = await startCollector({ authorization: `Splunk ${TOKEN}` });
    const store = await ledgerOf(1);
    const clock = () => Date.parse("2025-01-15T09:30:00Z");
    const forwarder = createForwarder(options(store, "splunk_hec", { clock }));
    collector.failNext(1, { status: 503, headers: { "retry-after": "Wed, 15 Jan 2025 09:30:12 GMT" } });
    await expect(forwarder.runOnce()).rejects.toMatchObject({ detail: { retry_after_ms: 12_000 } });
    collector.failNext(1, { status: 429, headers: { "retry-after": "86400" } });
    await expect(forwarder.runOnce()).rejects.toMatchObject({ detail: { retry_after_ms: 20_000 } });
    expect(await forwarder.runOnce()).toEqual({ sent: 1, lastSeq: 1 });
  });
});
