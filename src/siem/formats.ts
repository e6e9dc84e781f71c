import type { LedgerRecord } from "../core/ledger/record.js";

/**
 * The two wire shapes a SIEM collector speaks — Splunk HTTP Event Collector and Elasticsearch
 * `_bulk` — as pure functions: what path to POST to, which headers, how one ledger record is
 * encoded, and whether a response acknowledges the whole batch. No I/O here, so the shapes are
 * tested byte for byte and the forwarder only moves bytes.
 *
 * Replays are expected (delivery is at-least-once), so each shape carries a stable identity:
 * Elastic documents are created with `_id` = the record's chain hash (a replay is answered with
 * 409 and counts as delivered); Splunk has no idempotent ingest, so every event carries `seq`
 * and `hash` (inside a raw event, and as the indexed fields `bridle_seq`/`bridle_hash` for any
 * format) and a search can drop duplicates with `| dedup bridle_hash`.
 */

export interface SplunkHecTarget {
  kind: "splunk_hec";
  /** Base URL of the HEC listener, e.g. https://splunk.example:8088 (the path is appended). */
  url: string;
  token: string;
  index?: string;
  /** The `host` field; the forwarder defaults it to the machine's hostname. */
  host?: string;
  sourcetype?: string;
}

export interface ElasticBulkTarget {
  kind: "elastic_bulk";
  /** Base URL of the cluster, e.g. https://es.example:9200 (the path is appended). */
  url: string;
  /** An encoded API key (`auth: "api_key"`, the default) or `user:password` (`auth: "basic"`). */
  token: string;
  index?: string;
  auth?: "api_key" | "basic";
}

export type SiemTarget = SplunkHecTarget | ElasticBulkTarget;

export const SPLUNK_SOURCE = "bridle";
export const SPLUNK_SOURCETYPE = "bridle:audit";
export const ELASTIC_DEFAULT_INDEX = "bridle-audit";
export const SPLUNK_PATH = "services/collector/event";
/** filter_path keeps the bulk answer to what the acknowledgement needs (no echoed documents). */
export const ELASTIC_PATH = "_bulk?filter_path=errors,items.*.status,items.*.error.type";

/** The collector's answer to one batch. `duplicates` counts Elastic 409s (already indexed). */
export type Acknowledgement =
  | { ok: true; duplicates: number }
  | { ok: false; retry: "transient" | "rejected"; status: number; reason: string };

export function endpointPath(target: SiemTarget): string {
  return target.kind === "splunk_hec" ? SPLUNK_PATH : ELASTIC_PATH;
}

export function requestHeaders(target: SiemTarget): Record<string, string> {
  if (target.kind === "splunk_hec") {
    return { authorization: `Splunk ${target.token}`, "content-type": "application/json" };
  }
  const authorization =
    target.auth === "basic"
      ? `Basic ${Buffer.from(target.token, "utf8").toString("base64")}`
      : `ApiKey ${target.token}`;
  return { authorization, "content-type": "application/x-ndjson" };
}

/**
 * One record's share of the request body, newline-terminated, so a batch is the concatenation
 * of chunks and its size is known before it is sent. `payload` is the record itself (raw) or
 * its mapping (OCSF).
 */
export function encodeRecord(
  target: SiemTarget,
  record: LedgerRecord,
  payload: object,
  host: string,
): string {
  if (target.kind === "splunk_hec")
    return `${JSON.stringify(splunkEnvelope(target, record, payload, host))}\n`;
  const action = { create: { _index: target.index ?? ELASTIC_DEFAULT_INDEX, _id: record.hash } };
  // Data streams and Kibana's time pickers need @timestamp; add it only when the payload has none.
  const document = "@timestamp" in payload ? payload : { "@timestamp": record.timestamp_utc, ...payload };
  return `${JSON.stringify(action)}\n${JSON.stringify(document)}\n`;
}

function splunkEnvelope(
  target: SplunkHecTarget,
  record: LedgerRecord,
  payload: object,
  host: string,
): object {
  const millis = Date.parse(record.timestamp_utc);
  return {
    // Without `time` Splunk stamps the arrival time, which after an outage would be wrong.
    ...(Number.isNaN(millis) ? {} : { time: millis / 1000 }),
    host,
    source: SPLUNK_SOURCE,
    sourcetype: target.sourcetype ?? SPLUNK_SOURCETYPE,
    ...(target.index ? { index: target.index } : {}),
    fields: { bridle_seq: String(record.seq), bridle_hash: record.hash },
    event: payload,
  };
}

/** Whether `status` + `body` acknowledge all `count` records of the batch. */
export function interpretResponse(
  target: SiemTarget,
  status: number,
  body: string,
  count: number,
): Acknowledgement {
  if (status < 200 || status > 299) return statusFailure(status, errorText(target, body));
  return target.kind === "splunk_hec"
    ? splunkAcknowledgement(status, body)
    : elasticAcknowledgement(status, body, count);
}

/** 408, 429 and 5xx pass; any other status (4xx, an unfollowed 3xx) is a configuration problem. */
export function statusFailure(status: number, detail: string): Acknowledgement {
  const transient = status === 408 || status === 429 || status >= 500;
  const reason = detail ? `HTTP ${status}: ${detail}` : `HTTP ${status}`;
  return { ok: false, retry: transient ? "transient" : "rejected", status, reason };
}

function splunkAcknowledgement(status: number, body: string): Acknowledgement {
  // HEC answers {"text":"Success","code":0}; anything else on a 2xx is not HEC (wrong URL, a proxy page).
  const parsed = parseJson(body);
  if (isObject(parsed) && parsed.code === 0) return { ok: true, duplicates: 0 };
  return {
    ok: false,
    retry: "rejected",
    status,
    reason: `HTTP ${status} without a HEC success acknowledgement`,
  };
}

function elasticAcknowledgement(status: number, body: string, count: number): Acknowledgement {
  const parsed = parseJson(body);
  const items = isObject(parsed) && Array.isArray(parsed.items) ? parsed.items : null;
  if (items === null || items.length !== count) {
    const reason = `HTTP ${status} without one bulk item per document (expected ${count})`;
    return { ok: false, retry: "rejected", status, reason };
  }
  const outcomes = items.map(itemOutcome);
  const failed = outcomes.filter((o): o is ItemFailure => o.kind === "transient" || o.kind === "rejected");
  if (failed.length === 0) {
    return { ok: true, duplicates: outcomes.filter((o) => o.kind === "duplicate").length };
  }
  // A permanent item failure (mapping error) will not heal by retrying: surface it as rejected.
  const retry = failed.some((o) => o.kind === "rejected") ? "rejected" : "transient";
  const summary = [...new Set(failed.map((o) => `${o.type} (${o.status})`))].slice(0, 5).join(", ");
  return { ok: false, retry, status, reason: `${failed.length} of ${count} bulk items failed: ${summary}` };
}

type ItemFailure = { kind: "transient" | "rejected"; status: number; type: string };
type ItemOutcome = { kind: "created" | "duplicate" } | ItemFailure;

function itemOutcome(item: unknown): ItemOutcome {
  const result = isObject(item) ? (item.create ?? Object.values(item)[0]) : undefined;
  const status = isObject(result) && typeof result.status === "number" ? result.status : 0;
  if (status >= 200 && status <= 299) return { kind: "created" };
  // create refuses an _id that exists: this document was indexed by an earlier attempt.
  if (status === 409) return { kind: "duplicate" };
  const error = isObject(result) && isObject(result.error) ? result.error : {};
  const type = safeText(typeof error.type === "string" ? error.type : "unknown_error", 60);
  const transient = status === 408 || status === 429 || status >= 500;
  return { kind: transient ? "transient" : "rejected", status, type };
}

/** A short, log-safe excerpt of the collector's own error message (never the request). */
function errorText(target: SiemTarget, body: string): string {
  const parsed = parseJson(body);
  if (!isObject(parsed)) return "";
  if (target.kind === "splunk_hec") return typeof parsed.text === "string" ? safeText(parsed.text, 120) : "";
  const error = isObject(parsed.error) ? parsed.error : null;
  return error && typeof error.type === "string" ? safeText(error.type, 60) : "";
}

function safeText(text: string, max: number): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, max);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
