import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BridleError } from "../core/errors.js";
import { guardedFetch, requestJson, retryAfterMs, type UpstreamHttpOptions } from "./http.js";

/**
 * Edge cases of the wire that the API simulators do not produce on purpose (slow-drip bodies,
 * Retry-After, redirects, broken JSON), served by a bare node:http upstream.
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const seen: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? "");
    const handler = routes.get(req.url ?? "");
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const options = (overrides: Partial<UpstreamHttpOptions> = {}): UpstreamHttpOptions => ({
  service: "Upstream",
  timeoutMs: 1000,
  retries: 2,
  maxResponseBytes: 1024,
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<BridleError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridleError);
  return error as BridleError;
}

describe("retryAfterMs", () => {
  it("reads delta-seconds and HTTP dates, capped at 5 s", () => {
    const now = Date.parse("2026-05-22T03:00:00Z");
    expect(retryAfterMs("2", now)).toBe(2000);
    expect(retryAfterMs("3600", now)).toBe(5000);
    expect(retryAfterMs("Fri, 22 May 2026 03:00:03 GMT", now)).toBe(3000);
    expect(retryAfterMs("Fri, 22 May 2026 02:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});

describe("requestJson over a real socket", () => {
  it("waits as long as Retry-After says before retrying a 429", async () => {
    let calls = 0;
    routes.set("/retry-after", (_req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(429, { "retry-after": "1" }).end();
      else res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    const started = performance.now();
    const body = await requestJson(
      { method: "GET", url: `${base}/retry-after`, idempotent: true },
      options(),
    );
    expect(body).toEqual({ ok: true });
    expect(calls).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
  });

  it("times out a body that drips slower than the timeout", async () => {
    routes.set("/drip", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
      const timer = setInterval(() => res.write(" "), 50);
      res.on("close", () => clearInterval(timer));
    });
    const started = performance.now();
    const error = await failure(
      requestJson(
        { method: "GET", url: `${base}/drip`, idempotent: true },
        options({ timeoutMs: 300, retries: 0 }),
      ),
    );
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("refuses oversized bodies, declared or streamed, without retrying", async () => {
    let calls = 0;
    routes.set("/declared", (_req, res) => {
      calls += 1;
      res.writeHead(200, { "content-length": "5000" }).end("x".repeat(5000));
    });
    routes.set("/streamed", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      for (let i = 0; i < 10; i += 1) res.write("y".repeat(500));
      res.end();
    });
    for (const path of ["/declared", "/streamed"]) {
      const error = await failure(
        requestJson({ method: "GET", url: `${base}${path}`, idempotent: true }, options()),
      );
      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.detail).toMatchObject({ reason: "response_too_large" });
    }
    expect(calls).toBe(1);
  });

  it("maps malformed JSON to UPSTREAM_ERROR without the body in the message", async () => {
    routes.set("/broken", (_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end("{secret"),
    );
    const error = await failure(
      requestJson({ method: "GET", url: `${base}/broken`, idempotent: true }, options()),
    );
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.message).not.toContain("secret");
  });

  it("does not follow redirects, so credentials never travel to another location", async () => {
    routes.set("/redirect", (_req, res) => res.writeHead(302, { location: `${base}/elsewhere` }).end());
    seen.length = 0;
    const error = await failure(
      requestJson(
        {
          method: "GET",
          url: `${base}/redirect`,
          headers: { authorization: "Basic c2VjcmV0" },
          idempotent: true,
        },
        options(),
      ),
    );
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(seen).toEqual(["/redirect"]);
  });

  it("gives the guarded fetch the same redirect rule and passes 204 through", async () => {
    routes.set("/no-content", (_req, res) => res.writeHead(204).end());
    const fetchGuarded = guardedFetch(options());
    expect((await fetchGuarded(`${base}/no-content`)).status).toBe(204);
    expect((await failure(fetchGuarded(`${base}/redirect`))).code).toBe("UPSTREAM_ERROR");
  });
});
