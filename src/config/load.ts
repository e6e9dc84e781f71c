import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { BridleError } from "../core/errors.js";
import { type Config, ConfigSchema } from "./schema.js";

export interface LoadedConfig {
  config: Config;
  /** The file the config came from, or null for built-in defaults. */
  file: string | null;
  /** Folder relative paths in the config resolve against. */
  baseDir: string;
  /** Whether the file (not the built-in default) chose `identity.mode`. */
  identityModeSet: boolean;
}

/**
 * Finds and validates the configuration: `--config`, then BRIDLE_CONFIG, then ./bridle.yaml,
 * then the defaults. Environment overrides come last. The one place that reads process.env
 * for settings; everything else receives this object.
 */
export function loadConfig(
  explicitPath: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): LoadedConfig {
  const file =
    explicitPath || env.BRIDLE_CONFIG || (existsSync(resolve(cwd, "bridle.yaml")) ? "bridle.yaml" : null);
  let raw: Record<string, unknown> = {};
  let path: string | null = null;
  if (file !== null) {
    path = resolve(cwd, file);
    if (!existsSync(path)) throw new BridleError("BAD_REQUEST", `config file not found: ${path}`);
    try {
      raw = (parseYaml(readFileSync(path, "utf8"), { uniqueKeys: true }) as Record<string, unknown>) ?? {};
    } catch (error) {
      throw new BridleError(
        "BAD_REQUEST",
        `config ${path}: YAML syntax: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  }
  const parsed = ConfigSchema.safeParse(applyEnv(raw, env));
  if (!parsed.success) {
    const text = parsed.error.issues
      .map((i) => {
        const keys = i.code === "unrecognized_keys" ? `.${i.keys.join(", ")}` : "";
        return `${i.path.join(".") || "(root)"}${keys}: ${i.message}`;
      })
      .join("; ");
    throw new BridleError("BAD_REQUEST", `config${path ? ` ${path}` : ""}: ${text}`);
  }
  const identity = raw.identity as { mode?: unknown } | undefined;
  return {
    config: parsed.data,
    file: path,
    baseDir: path ? dirname(path) : cwd,
    identityModeSet: identity?.mode !== undefined,
  };
}

function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  const server = { ...((raw.server as Record<string, unknown> | undefined) ?? {}) };
  if (env.BRIDLE_HOST) server.host = env.BRIDLE_HOST;
  if (env.BRIDLE_PORT) server.port = Number(env.BRIDLE_PORT);
  if (env.BRIDLE_HOST || env.BRIDLE_PORT) out.server = server;
  if (env.BRIDLE_STORE_URL) out.store = { url: env.BRIDLE_STORE_URL };
  if (env.BRIDLE_POLICY) out.policy = env.BRIDLE_POLICY;
  return out;
}

export function resolveFrom(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
