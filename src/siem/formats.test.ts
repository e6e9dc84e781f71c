import { describe, expect, it } from "vitest";
import { sampleEvents } from "../../test/support/memory-ledger-store.js";
import { chainBatch } from "../core/ledger/record.js";
import {
  type ElasticBulkTarget,
  encodeRecord,
  interpretResponse,
  requestHeaders,
  type SplunkHecTarget,
} from "./formats.js";

const splunk: SplunkHecTarget = {
  kind: "splunk_hec",
  url: "https://splunk.example:8088",
  token: "hec-token",
};
const elastic: ElasticBulkTarget = {
  kind: "elastic_bulk",
  url: "https://es.example:9200",
  token: "a2V5OnNlY3JldA==",
};

function records(count: number) {
  const events = sampleEvents(count);
  const first = events[0];
  if (first) first.timestamp_utc = "2025-01-15T09:30:00.250Z";
  return chainBatch(events, null);
}

describe("Splunk HEC shape", () => {
  it("encodes one newline-terminated envelope per record with epoch-seconds time and dedup fields", () => {
    const [record] = records(1);
    const chunk = encodeRecord({ ...splunk, index: "security" }, record!, record!, "gw-1");
    expect(chunk.endsWith("\n")).toBe(true);
    expect(chunk.slice(0, -1)).not.toContain("\n");
    expect(JSON.parse(chunk)).toEqual({
      time: 1736933400.25,
      host: "gw-1",
      source: "bridle",
      sourcetype: "bridle:audit",
      index: "security",
      fields: { bridle_seq: "1", bridle_hash: record!.hash },
      event: record,
    });
  });

  it("omits index when none is configured and sends the mapped payload when given one", () => {
    const [record] = records(1);
    const envelope = JSON.parse(encodeRecord(splunk, record!, { class_uid: 6003 }, "gw-1"));
    expect(envelope).not.toHaveProperty("index");
    expect(envelope.event).toEqual({ class_uid: 6003 });
    expect(envelope.fields.bridle_hash).toBe(record!.hash);
  });

  it("authenticates with the Splunk scheme", () => {
    expect(requestHeaders(splunk)).toEqual({
      authorization: "Splunk hec-token",
      "content-type": "application/json",
    });
  });

  it("accepts only a HEC success acknowledgement on 2xx", () => {
    expect(interpretResponse(splunk, 200, '{"text":"Success","code":0}', 3)).toEqual({
      ok: true,
      duplicates: 0,
    });
    expect(interpretResponse(splunk, 200, "<html>proxy login</html>", 3)).toMatchObject({
      ok: false,
      retry: "rejected",
    });
  });

  it("retries 408, 429 and 5xx and treats other 4xx as configuration errors", () => {
    expect(interpretResponse(splunk, 503, '{"text":"Server is busy","code":9}', 1)).toEqual({
      ok: false,
      retry: "transient",
      status: 503,
      reason: "HTTP 503: Server is busy",
    });
    expect(interpretResponse(splunk, 408, "", 1)).toMatchObject({ retry: "transient" });
    expect(interpretResponse(splunk, 429, "", 1)).toMatchObject({ retry: "transient" });
    expect(interpretResponse(splunk, 403, '{"text":"Invalid token","code":4}', 1)).toMatchObject({
      retry: "rejected",
      reason: "HTTP 403: Invalid token",
    });
    expect(interpretResponse(splunk, 307, "", 1)).toMatchObject({ retry: "rejected" });
  });
});

describe("Elasticsearch bulk shape", () => {
  it("encodes a create action keyed by the chain hash, then the document with @timestamp", () => {
    const [record] = records(1);
    const lines = encodeRecord({ ...elastic, index: "audit-zyx" }, record!, record!, "").split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    expect(JSON.parse(lines[0]!)).toEqual({ create: { _index: "audit-zyx", _id: record!.hash } });
    expect(JSON.parse(lines[1]!)).toEqual({ "@timestamp": record!.timestamp_utc, ...record });
  });

  it("keeps a payload's own @timestamp and defaults the index", () => {
    const [record] = records(1);
    const lines = encodeRecord(elastic, record!, { "@timestamp": "x", a: 1 }, "").split("\n");
    expect(JSON.parse(lines[0]!).create._index).toBe("bridle-audit");
    expect(JSON.parse(lines[1]!)).toEqual({ "@timestamp": "x", a: 1 });
  });

  it("authenticates with ApiKey by default and Basic on request", () => {
    expect(requestHeaders(elastic)).toEqual({
      authorization: "ApiKey a2V5OnNlY3JldA==",
      "content-type": "application/x-ndjson",
    });
    const basic = requestHeaders({ ...elastic, auth: "basic", token: "bridle:s3cret" });
    expect(basic.authorization).toBe(`Basic ${Buffer.from("bridle:s3cret").toString("base64")}`);
  });

  const item = (status: number, type?: string) => ({
    create: { status, ...(type ? { error: { type } } : {}) },
  });
  const bulk = (...items: unknown[]) => JSON.stringify({ errors: items.length > 0, items });

  it("counts a 409 on create as delivered (indexed by an earlier attempt)", () => {
    const body = bulk(item(201), item(409, "version_conflict_engine_exception"), item(200));
    expect(interpretResponse(elastic, 200, body, 3)).toEqual({ ok: true, duplicates: 1 });
  });

  it("retries the batch when an item failed transiently", () => {
    const body = bulk(
      item(201),
      item(500, "engine_closed_exception"),
      item(429, "es_rejected_execution_exception"),
    );
    expect(interpretResponse(elastic, 200, body, 3)).toEqual({
      ok: false,
      retry: "transient",
      status: 200,
      reason:
        "2 of 3 bulk items failed: engine_closed_exception (500), es_rejected_execution_exception (429)",
    });
  });

  it("reports a permanent item failure as rejected", () => {
    const body = bulk(
      item(201),
      item(400, "mapper_parsing_exception"),
      item(503, "unavailable_shards_exception"),
    );
    expect(interpretResponse(elastic, 200, body, 3)).toMatchObject({ ok: false, retry: "rejected" });
  });

  it("refuses an answer that does not account for every document", () => {
    expect(interpretResponse(elastic, 200, bulk(item(201)), 2)).toMatchObject({
      ok: false,
      retry: "rejected",
    });
    expect(interpretResponse(elastic, 200, "not json", 1)).toMatchObject({ ok: false, retry: "rejected" });
  });

  it("names the error type of a whole-request failure", () => {
    const body = JSON.stringify({
      error: { type: "security_exception", reason: "missing authentication" },
      status: 401,
    });
    expect(interpretResponse(elastic, 401, body, 1)).toEqual({
      ok: false,
      retry: "rejected",
      status: 401,
      reason: "HTTP 401: security_exception",
    });
  });
});
