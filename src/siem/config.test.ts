import { describe, expect, it } from "vitest";
import { MemoryLedgerStore } from "../../test/support/memory-ledger-store.js";
import { forwarderOptionsFromConfig, SiemConfigSchema } from "./config.js";
import { createForwarder } from "./forwarder.js";

describe("the siem: configuration section", () => {
  it("is off by default with conservative limits", () => {
    const siem = SiemConfigSchema.parse({});
    expect(siem).toMatchObject({
      enabled: false,
      format: "raw",
      cursor: "siem",
      batch_size: 500,
      max_batch_bytes: 1048576,
      timeout_ms: 10000,
      backoff: { initial_ms: 500, max_ms: 60000, retry_after_cap_ms: 300000 },
    });
    expect(forwarderOptionsFromConfig(siem, {})).toBeNull();
  });

  it("names the bad key", () => {
    const missing = SiemConfigSchema.safeParse({ enabled: true });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(["target"]);
    const typo = SiemConfigSchema.safeParse({ batchsize: 10 });
    expect(typo.error?.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["batchsize"] });
    const index = SiemConfigSchema.safeParse({
      target: { kind: "elastic_bulk", url: "https://es:9200", index: "Audit" },
    });
    expect(index.error?.issues[0]?.path).toEqual(["target", "index"]);
  });

  it("reads the token from the named environment variable and builds forwarder options", () => {
    const siem = SiemConfigSchema.parse({
      enabled: true,
      format: "ocsf",
      batch_size: 200,
      target: {
        kind: "elastic_bulk",
        url: "https://es.zyx.example:9200",
        token_env: "ES_KEY",
        auth: "basic",
      },
    });
    const configured = forwarderOptionsFromConfig(siem, { ES_KEY: "bridle:pw" });
    expect(configured).toMatchObject({
      cursorName: "siem",
      format: "ocsf",
      batchSize: 200,
      target: { kind: "elastic_bulk", url: "https://es.zyx.example:9200", token: "bridle:pw", auth: "basic" },
      backoff: { initialMs: 500, maxMs: 60000, retryAfterCapMs: 300000 },
      allowInsecureHttp: false,
    });
    const forwarder = createForwarder({
      ...configured!,
      store: new MemoryLedgerStore(),
      transform: () => ({}),
    });
    expect(forwarder.status().running).toBe(false);
  });

  it("fails clearly, without a value, when the token variable is unset", () => {
    const siem = SiemConfigSchema.parse({
      enabled: true,
      target: { kind: "splunk_hec", url: "https://splunk:8088" },
    });
    expect(() => forwarderOptionsFromConfig(siem, {})).toThrow(/BRIDLE_SIEM_TOKEN is not set/);
  });
});

describe("forwarder option checks", () => {
  const base = {
    store: new MemoryLedgerStore(),
    cursorName: "siem",
    target: { kind: "splunk_hec" as const, url: "https://splunk:8088", token: "t" },
    batchSize: 10,
    maxBatchBytes: 1000,
    timeoutMs: 1000,
    backoff: { initialMs: 10, maxMs: 100 },
  };

  it("refuses ocsf without the mapping, and nonsensical limits, naming the key", () => {
    expect(() => createForwarder({ ...base, format: "ocsf" })).toThrow(/siem.format/);
    expect(() => createForwarder({ ...base, batchSize: 0 })).toThrow(/siem.batch_size/);
    expect(() => createForwarder({ ...base, backoff: { initialMs: 500, maxMs: 100 } })).toThrow(/initial_ms/);
    expect(() => createForwarder({ ...base, target: { ...base.target, token: "" } })).toThrow(/token/);
  });
});
