import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A SIEM collector on loopback that speaks enough of the Splunk HEC (`POST
 * /services/collector/event`) and Elasticsearch bulk (`POST /_bulk`) protocols to test a
 * forwarder over real HTTP: it checks the Authorization header, records every request, keeps
 * what it accepted (Splunk: every event, duplicates included; Elastic: documents by `_id`,
 * answering 409 to a second create), and can be told to fail the next requests or items.
 */

export type CollectorFault =
  /** Answer with this status; `body` is sent as JSON (a string as-is). */
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Hold the request open until the client gives up; `accept` stores its events first (response lost). */
  | { hang: true; accept?: boolean };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status answered, or "hang". */
  answered: number | "hang";
}

export interface Collector {
  url: string;
  requests: RecordedRequest[];
  /** Splunk envelopes accepted, in arrival order (a replay appears twice). */
  splunkEvents: Array<Record<string, unknown>>;
  /** Elastic documents accepted, by `_id`, in creation order. */
  elasticDocs: Map<string, { index: string; doc: Record<string, unknown> }>;
  /** Fail the next `count` requests with `fault` (queued after earlier faults). */
  failNext(count: number, fault: CollectorFault): void;
  /** Fail the next `times` bulk creates of this `_id` with `status` and error `type`. */
  failElasticItem(id: string, status: number, type: string, times?: number): void;
  close(): Promise<void>;
}

export interface CollectorOptions {
  /** The exact Authorization header required (e.g. "Splunk abc" or "ApiKey xyz"). */
  authorization: string;
}

type Handler = (c: State, body: string) => { status: number; json: unknown };

interface State {
  collector: Collector;
  faults: CollectorFault[];
  itemFaults: Map<string, { status: number; type: string; times: number }>;
}

export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const faults: CollectorFault[] = [];
  const itemFaults: State["itemFaults"] = new Map();
  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => serve(state, options, req, res, body),
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const collector: Collector = {
    url: `http://127.0.0.1:${port}`,
    requests: [],
    splunkEvents: [],
    elasticDocs: new Map(),
    failNext(count, fault) {
      for (let i = 0; i < count; i += 1) faults.push(fault);
    },
    failElasticItem(id, status, type, times = 1) {
      itemFaults.set(id, { status, type, times });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  const state: State = { collector, faults, itemFaults };
  return collector;
}

function serve(
  state: State,
  options: CollectorOptions,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
) {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const record: RecordedRequest = { method: req.method ?? "", path, headers: req.headers, body, answered: 0 };
  state.collector.requests.push(record);
  const handler = route(req.method, path);
  // Faults are spent only on requests that reach a handler with valid credentials.
  const authorized = handler !== null && req.headers.authorization === options.authorization;
  const fault = authorized ? state.faults.shift() : undefined;
  let answer: { status: number; json: unknown; headers?: Record<string, string> };
  if (!handler) answer = { status: 404, json: { text: "Not found" } };
  else if (!authorized) answer = unauthorized(path, req.headers.authorization);
  else if (fault && "hang" in fault) {
    if (fault.accept) handler(state, body);
    record.answered = "hang";
    return;
  } else if (fault) {
    answer = {
      status: fault.status,
      json: fault.body ?? { text: "injected failure" },
      headers: fault.headers ?? {},
    };
  } else answer = handler(state, body);
  record.answered = answer.status;
  const text = typeof answer.json === "string" ? answer.json : JSON.stringify(answer.json);
  res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
  res.end(text);
}

function route(method: string | undefined, path: string): Handler | null {
  if (method !== "POST") return null;
  if (path === "/services/collector/event") return splunk;
  if (path === "/_bulk") return elastic;
  return null;
}

function unauthorized(path: string, header: string | undefined) {
  if (path === "/_bulk") return { status: 401, json: { error: { type: "security_exception" }, status: 401 } };
  return header === undefined
    ? { status: 401, json: { text: "Token is required", code: 2 } }
    : { status: 403, json: { text: "Invalid token", code: 4 } };
}

function splunk(state: State, body: string): { status: number; json: unknown } {
  const events: Array<Record<string, unknown>> = [];
  for (const line of body.split("\n").filter((l) => l.trim() !== "")) {
    const parsed = tryJson(line);
    if (!isObject(parsed)) return { status: 400, json: { text: "Invalid data format", code: 6 } };
    if (!("event" in parsed)) return { status: 400, json: { text: "Event field is required", code: 12 } };
    events.push(parsed);
  }
  if (events.length === 0) return { status: 400, json: { text: "No data", code: 5 } };
  state.collector.splunkEvents.push(...events);
  return { status: 200, json: { text: "Success", code: 0 } };
}

function elastic(state: State, body: string): { status: number; json: unknown } {
  if (!body.endsWith("\n")) return bulkError("The bulk request must be terminated by a newline [\\n]");
  const lines = body.split("\n").slice(0, -1);
  if (lines.length % 2 !== 0) return bulkError("action without a document");
  const items: Array<{ create: { status: number } }> = [];
  for (let i = 0; i < lines.length; i += 2) {
    const action = tryJson(lines[i] ?? "");
    const doc = tryJson(lines[i + 1] ?? "");
    const create = isObject(action) ? action.create : undefined;
    if (
      !isObject(create) ||
      typeof create._id !== "string" ||
      typeof create._index !== "string" ||
      !isObject(doc)
    ) {
      return bulkError("malformed action/metadata line");
    }
    items.push({ create: createItem(state, create._index, create._id, doc) });
  }
  const errors = items.some((item) => item.create.status >= 300);
  return { status: 200, json: { errors, items } };
}

function createItem(state: State, index: string, id: string, doc: Record<string, unknown>) {
  const fault = state.itemFaults.get(id);
  if (fault && fault.times > 0) {
    fault.times -= 1;
    return { _index: index, _id: id, status: fault.status, error: { type: fault.type, reason: "injected" } };
  }
  if (state.collector.elasticDocs.has(id)) {
    const reason = `[${id}]: version conflict, document already exists`;
    return {
      _index: index,
      _id: id,
      status: 409,
      error: { type: "version_conflict_engine_exception", reason },
    };
  }
  state.collector.elasticDocs.set(id, { index, doc });
  return { _index: index, _id: id, result: "created", status: 201 };
}

function bulkError(reason: string) {
  return { status: 400, json: { error: { type: "illegal_argument_exception", reason }, status: 400 } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A sleep for forwarder loops under test: records every delay asked for and yields one
 * macrotask instead of waiting, so backoff schedules are asserted exactly and tests stay fast
 * while the real HTTP exchanges still get the event loop.
 */
export function recordingSleep(): {
  delays: number[];
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
} {
  const delays: number[] = [];
  return {
    delays,
    sleep: (ms) => {
      delays.push(ms);
      return new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** Polls `condition` on real timers until it holds; fails the test after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
