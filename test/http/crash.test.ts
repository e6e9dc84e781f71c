import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { openLedger } from "../../src/runtime.js";

const root = process.cwd();
const tsx = pathToFileURL(resolve(root, "node_modules/tsx/dist/esm/index.mjs")).href;

function startServer(config: string): Promise<{ url: string; kill: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ["--import", tsx, resolve(root, "src/cli/main.ts"), "serve", "--config", config],
    {
      env: { ...process.env, BRIDLE_LOG_LEVEL: "silent", BRIDLE_CONFIG: "" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolveStart, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1])
        resolveStart({
          url: match[1],
          kill: () =>
            new Promise((done) => {
              child.once("exit", () => done());
              child.kill("SIGKILL");
            }),
        });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

describe("crash safety: kill -9 under concurrent load", () => {
  it("every event acknowledged to a client survives, and the chain verifies", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bridle-crash-"));
    const config = join(dir, "bridle.yaml");
    writeFileSync(
      config,
      `policy: ${resolve(root, "policies/tool_policies.yaml")}\nserver: { port: 0 }\nstore: { url: "sqlite:bridle.db" }\naudit: { signing_key: key.pem, checkpoint_every: 50 }\nidentity: { mode: dev-headers }\n`,
    );
    const server = await startServer(config);
    const acknowledged: string[] = [];
    let stop = false;
    const client = async () => {
      while (!stop) {
        try {
          const response = await fetch(`${server.url}/review-change`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "x-user-email": "intern@zyxbank.example",
              "x-user-groups": "grp-ai-users",
              "x-device-compliant": "true",
            },
            body: JSON.stringify({ ticket: "CHG-18422", repository: "platform-infra", pull_request: "991" }),
          });
          const body = (await response.json()) as { detail: { trace_id: string } };
          if (response.status === 403) acknowledged.push(body.detail.trace_id);
        } catch {
          return; // the server died mid-request: that request was never acknowledged
        }
      }
    };
    const clients = Array.from({ length: 16 }, client);
    while (acknowledged.length < 300) await new Promise((r) => setTimeout(r, 20));
    await server.kill();
    stop = true;
    await Promise.all(clients);

    const ledger = await openLedger(loadConfig(config, {}, dir), pino({ level: "silent" }));
    try {
      const result = await ledger.verify();
      expect(result).toMatchObject({ ok: true, first_bad_seq: null });
      const traces = new Set<string>();
      for await (const record of ledger.records()) traces.add(record.trace_id);
      const lost = acknowledged.filter((id) => !traces.has(id));
      expect(lost).toEqual([]);
      expect(acknowledged.length).toBeGreaterThanOrEqual(300);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
