import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadConfig } from "../../src/config/load.js";
import type { LedgerRecord } from "../../src/core/ledger/record.js";
import { type Bridle, createBridle } from "../../src/runtime.js";
import type { Sandbox } from "../../src/sandbox/server.js";
import { buildServer } from "../../src/server/app.js";

export interface TestBridle {
  url: string;
  bridle: Bridle;
  /** Every event in the ledger, in seq order. */
  events(): Promise<LedgerRecord[]>;
  /** The events of one trace. */
  trace(traceId: string): Promise<LedgerRecord[]>;
  sandbox: Sandbox;
  dir: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Any method; a JSON body when one is given. */
  call(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export const DEVOPS = {
  "x-user-email": "engineer@zyxbank.example",
  "x-user-groups": "grp-ai-users,grp-ai-devops-readonly",
  "x-device-compliant": "true",
};

/** A real Bridle on a loopback port with sandbox connectors, and an in-memory audit sink to inspect. */
export async function startTestBridle(
  configYaml = "",
  options: { storeUrl?: string; killSwitchPollMs?: number } = {},
): Promise<TestBridle> {
  const dir = mkdtempSync(join(tmpdir(), "bridle-test-"));
  const file = join(dir, "bridle.yaml");
  // A real ledger (SQLite file unless told otherwise, signing key) in the test's own folder.
  const store = options.storeUrl ?? "sqlite:bridle.db";
  writeFileSync(file, `store: { url: "${store}" }\naudit: { signing_key: key.pem }\n${configYaml}`);
  const loaded = loadConfig(file, {}, dir);
  loaded.config.policy = loaded.config.policy.startsWith("/")
    ? loaded.config.policy
    : join(process.cwd(), loaded.config.policy);
  const bridle = await createBridle(loaded, {
    logger: pino({ level: process.env.TEST_LOG ?? "silent" }),
    policyPollMs: 0,
    ...(options.killSwitchPollMs !== undefined ? { killSwitchPollMs: options.killSwitchPollMs } : {}),
  });
  const app = await buildServer(bridle);
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  if (!bridle.sandbox) throw new Error("test Bridle must run with sandbox connectors");
  return {
    url,
    bridle,
    events: async () => {
      await bridle.ledger.sink.flush();
      const all: LedgerRecord[] = [];
      for await (const record of bridle.ledger.records()) all.push(record);
      return all;
    },
    trace: (traceId) => bridle.ledger.store.query({ trace_id: traceId, limit: 1000 }),
    sandbox: bridle.sandbox,
    dir,
    async post(path, body, headers = {}) {
      const response = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async call(method, path, headers, body) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await app.close();
      await bridle.close();
    },
  };
}
