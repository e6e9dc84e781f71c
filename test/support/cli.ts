import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const root = process.cwd();
/** tsx's loader by absolute URL, so a child started in another folder still finds it. */
export const tsxLoader = pathToFileURL(resolve(root, "node_modules/tsx/dist/esm/index.mjs")).href;

export interface CliWorkspace {
  dir: string;
  run(...args: string[]): { code: number | null; stdout: string; stderr: string };
  /** The same, without blocking this process (for a server running in it). */
  runAsync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/**
 * A folder with a bridle.yaml (the shipped policy, a SQLite ledger and signing key of its own)
 * and a way to run the real `bridle` command in it.
 */
export function cliWorkspace(checkpointEvery: number): CliWorkspace {
  const dir = mkdtempSync(join(tmpdir(), "bridle-cli-"));
  writeFileSync(
    join(dir, "bridle.yaml"),
    `policy: ${resolve(root, "policies/tool_policies.yaml")}\nstore: { url: "sqlite:bridle.db" }\naudit: { signing_key: key.pem, checkpoint_every: ${checkpointEvery} }\n`,
  );
  return {
    dir,
    run(...args) {
      const r = spawnSync(
        process.execPath,
        ["--import", tsxLoader, resolve(root, "src/cli/main.ts"), ...args],
        {
          cwd: dir,
          encoding: "utf8",
          env: { ...process.env, BRIDLE_CONFIG: "", BRIDLE_LOG_LEVEL: "silent" },
          timeout: 180_000,
        },
      );
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    runAsync(...args) {
      return new Promise((done) => {
        const child = spawn(
          process.execPath,
          ["--import", tsxLoader, resolve(root, "src/cli/main.ts"), ...args],
          {
            cwd: dir,
            env: { ...process.env, BRIDLE_CONFIG: "", BRIDLE_LOG_LEVEL: "silent" },
          },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("close", (code) => done({ code, stdout, stderr }));
      });
    },
  };
}
