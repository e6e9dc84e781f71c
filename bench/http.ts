import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { packageRoot } from "../src/config/paths.js";

export interface LoadResult {
  target: string;
  connections: number;
  requestsPerSec: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: number;
}

interface Server {
  url: string;
  child: ChildProcess;
}

/** Starts a server in its own process and waits for its "listening on" line. */
export function startServer(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, BRIDLE_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve({ url: match[1], child });
    });
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
}

export function bridleBenchConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), "bridle-bench-"));
  const file = join(dir, "bridle.yaml");
  writeFileSync(
    file,
    `policy: ${join(packageRoot(), "policies/tool_policies.yaml")}\nstore:\n  url: "sqlite:${join(dir, "bridle.db")}"\naudit:\n  signing_key: ${join(dir, "key.pem")}\nserver:\n  port: 0\nidentity:\n  mode: dev-headers\n`,
  );
  return file;
}

export async function load(
  target: string,
  url: string,
  headers: Record<string, string>,
  connections: number,
  durationSec: number,
): Promise<LoadResult> {
  const result = await autocannon({
    url: `${url}/review-change`,
    method: "POST",
    connections,
    duration: durationSec,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ ticket: "CHG-18422", repository: "platform-infra", pull_request: "991" }),
  });
  return {
    target,
    connections,
    requestsPerSec: result.requests.average,
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
