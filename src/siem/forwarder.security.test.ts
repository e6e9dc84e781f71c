import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type Collector, recordingSleep, startCollector, waitFor } from "../../test/support/collector.js";
import { MemoryLedgerStore, sampleEvents } from "../../test/support/memory-ledger-store.js";
import type { SiemTarget } from "./formats.js";
import { createForwarder, type ForwarderOptions } from "./forwarder.js";

const TOKEN = "hec-9d41e0b2-7f3a-4c55-secret";
const collectors: Collector[] = [];

afterEach(async () => {
  await Promise.all(collectors.splice(0).map((c) => c.close()));
});

async function collectorFor(authorization: string): Promise<Collector> {
  const collector = await startCollector({ authorization });
  collectors.push(collector);
  return collector;
}

async function ledgerOf(count: number): Promise<MemoryLedgerStore> {
  const store = new MemoryLedgerStore();
  await store.append(sampleEvents(count));
  return store;
}

function options(store: MemoryLedgerStore, target: SiemTarget, overrides: Partial<ForwarderOptions> = {}) {
  return {
    store,
    cursorName: "siem",
    target,
    batchSize: 10,
    maxBatchBytes: 1024 * 1024,
    timeoutMs: 1000,
    backoff: { initialMs: 10, maxMs: 100 },
    ...overrides,
  } satisfies ForwarderOptions;
}

describe("credentials on the wire", () => {
  it("sends the HEC token in the Splunk Authorization scheme on every request", async () => {
    const collector = await collectorFor(`Splunk ${TOKEN}`);
    const store = await ledgerOf(3);
    const forwarder = createForwarder(
      options(store, { kind: "splunk_hec", url: collector.url, token: TOKEN }, { batchSize: 2 }),
    );
    await forwarder.runOnce();
    await forwarder.runOnce();
    expect(collector.requests.map((r) => r.headers.authorization)).toEqual([
      `Splunk ${TOKEN}`,
      `Splunk ${TOKEN}`,
    ]);
    expect(collector.requests.every((r) => !r.body.includes(TOKEN))).toBe(true);
  });

  it("sends an Elastic API key, or Basic credentials when configured", async () => {
    const apiKey = await collectorFor("ApiKey a2V5OnNlY3JldA==");
    const store = await ledgerOf(1);
    await createForwarder(
      options(store, { kind: "elastic_bulk", url: apiKey.url, token: "a2V5OnNlY3JldA==" }),
    ).runOnce();
    expect(apiKey.elasticDocs.size).toBe(1);

    const basic = await collectorFor(`Basic ${Buffer.from("bridle:pa55word").toString("base64")}`);
    await createForwarder(
      options(
        store,
        { kind: "elastic_bulk", url: basic.url, token: "bridle:pa55word", auth: "basic" },
        { cursorName: "b" },
      ),
    ).runOnce();
    expect(basic.elasticDocs.size).toBe(1);
  });

  it("a wrong token is a rejected batch, not a delivered one", async () => {
    const collector = await collectorFor(`Splunk ${TOKEN}`);
    const store = await ledgerOf(2);
    const forwarder = createForwarder(
      options(store, { kind: "splunk_hec", url: collector.url, token: "stale-token" }),
    );
    await expect(forwarder.runOnce()).rejects.toMatchObject({ detail: { status: 403, retryable: false } });
    expect(await store.getCursor("siem")).toBe(0);
    expect(collector.splunkEvents).toHaveLength(0);
  });

  it("does not follow a redirect (it would carry the token elsewhere)", async () => {
    const collector = await collectorFor(`Splunk ${TOKEN}`);
    const elsewhere = await collectorFor(`Splunk ${TOKEN}`);
    collector.failNext(1, {
      status: 307,
      headers: { location: `${elsewhere.url}/services/collector/event` },
    });
    const store = await ledgerOf(1);
    const forwarder = createForwarder(
      options(store, { kind: "splunk_hec", url: collector.url, token: TOKEN }),
    );
    await expect(forwarder.runOnce()).rejects.toMatchObject({ detail: { status: 307, retryable: false } });
    expect(elsewhere.requests).toHaveLength(0);
  });
});

describe("the token never reaches the logs", () => {
  it("stays out of every log line and error, even when the collector echoes it", async () => {
    const collector = await collectorFor(`Splunk ${TOKEN}`);
    collector.failNext(2, { status: 503, body: { text: `busy; token ${TOKEN} throttled`, code: 9 } });
    collector.failNext(1, { hang: true });
    collector.failNext(1, { status: 400, body: { text: `Invalid data for ${TOKEN}`, code: 6 } });
    // The logged excerpt is 120 characters: this echo would be cut in the middle of the token.
    collector.failNext(1, { status: 503, body: { text: `${"x".repeat(110)} ${TOKEN}`, code: 9 } });
    const lines: string[] = [];
    const logger = pino({ level: "trace" }, { write: (line: string) => lines.push(line) });
    const store = await ledgerOf(3);
    const { sleep } = recordingSleep();
    const target: SiemTarget = { kind: "splunk_hec", url: `${collector.url}/`, token: TOKEN };
    const forwarder = createForwarder(options(store, target, { sleep, logger }));
    forwarder.start();
    await waitFor(async () => (await store.getCursor("siem")) === 3);
    await forwarder.stop();

    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.filter((l) => l.includes(TOKEN.slice(0, 8)))).toEqual([]);
    expect(lines.some((l) => l.includes("busy; token [redacted] throttled"))).toBe(true);
    expect(lines.some((l) => l.includes(`"collector":"${collector.url}/services/collector/event"`))).toBe(
      true,
    );

    collector.failNext(1, { status: 503, body: { text: `echo ${TOKEN}` } });
    await store.append(sampleEvents(1));
    const error = await forwarder.runOnce().catch((e: unknown) => e);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect((error as Error).message).toContain("echo [redacted]");
  });
});

describe("collector URL checks", () => {
  const store = new MemoryLedgerStore();
  const target = (url: string): SiemTarget => ({ kind: "splunk_hec", url, token: TOKEN });

  it("refuses credentials or a query string in the URL", () => {
    expect(() => createForwarder(options(store, target("https://u:p@splunk.example:8088")))).toThrow(
      /credentials/,
    );
    expect(() =>
      createForwarder(options(store, target(`https://splunk.example:8088?token=${TOKEN}`))),
    ).toThrow(/query/);
  });

  it("refuses plain http to a remote host unless explicitly allowed", () => {
    expect(() => createForwarder(options(store, target("http://splunk.example:8088")))).toThrow(
      /only to loopback/,
    );
    expect(() =>
      createForwarder(options(store, target("http://splunk.example:8088"), { allowInsecureHttp: true })),
    ).not.toThrow();
    expect(() => createForwarder(options(store, target("http://[::1]:8088")))).not.toThrow();
  });
});
