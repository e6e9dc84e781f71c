import { z } from "zod";
import { BridleError } from "../core/errors.js";
import type { SiemTarget } from "./formats.js";
import type { ForwarderOptions } from "./options.js";

/**
 * The `siem:` section of the configuration file. Exported here for src/config/schema.ts to
 * mount (`siem: SiemConfigSchema.default(SiemConfigSchema.parse({}))`). The token is named by
 * an environment variable, never written in the file.
 */

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name");

export const SiemTargetSchema = z
  .object({
    kind: z.enum(["splunk_hec", "elastic_bulk"]),
    /** Base URL: https://splunk.example:8088 or https://es.example:9200 (the API path is appended). */
    url: z.url({ protocol: /^https?$/ }),
    token_env: envName.default("BRIDLE_SIEM_TOKEN"),
    /** Splunk: optional index; Elastic: index or data stream (default bridle-audit). */
    index: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, "must be a lowercase index name")
      .max(255)
      .optional(),
    /** Elastic only: "api_key" (token is the encoded key) or "basic" (token is user:password). */
    auth: z.enum(["api_key", "basic"]).default("api_key"),
    /** Splunk only: the `host` field (default: this machine's hostname). */
    host: z.string().min(1).optional(),
    /** Splunk only (default bridle:audit). */
    sourcetype: z.string().min(1).optional(),
    allow_insecure_http: z.boolean().default(false),
  })
  .strict();

export const SiemConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    target: SiemTargetSchema.optional(),
    format: z.enum(["raw", "ocsf"]).default("raw"),
    cursor: z.string().min(1).max(100).default("siem"),
    batch_size: z.number().int().min(1).max(10_000).default(500),
    max_batch_bytes: z
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(1024 * 1024),
    timeout_ms: z.number().int().min(100).max(300_000).default(10_000),
    idle_poll_ms: z.number().int().min(10).max(3_600_000).default(1_000),
    backoff: z
      .object({
        initial_ms: z.number().int().min(1).default(500),
        max_ms: z.number().int().min(1).default(60_000),
        retry_after_cap_ms: z.number().int().min(1).default(300_000),
      })
      .strict()
      .default({ initial_ms: 500, max_ms: 60_000, retry_after_cap_ms: 300_000 }),
  })
  .strict()
  .refine((siem) => !siem.enabled || siem.target !== undefined, {
    message: "siem.target is required when siem.enabled is true",
    path: ["target"],
  });

export type SiemConfig = z.infer<typeof SiemConfigSchema>;

/** The parts of ForwarderOptions the config decides; the caller adds store, transform, logger. */
export type ConfiguredForwarder = Pick<
  ForwarderOptions,
  | "cursorName"
  | "target"
  | "format"
  | "batchSize"
  | "maxBatchBytes"
  | "timeoutMs"
  | "idlePollMs"
  | "backoff"
  | "allowInsecureHttp"
>;

/**
 * Turns a validated `siem:` section into forwarder options, reading the token from `env` (the
 * process environment, passed in). Returns null when forwarding is disabled.
 */
export function forwarderOptionsFromConfig(
  siem: SiemConfig,
  env: Readonly<Record<string, string | undefined>>,
): ConfiguredForwarder | null {
  if (!siem.enabled || !siem.target) return null;
  const t = siem.target;
  const token = env[t.token_env];
  if (!token) {
    throw new BridleError(
      "VALIDATION_FAILED",
      `siem.target.token_env: environment variable ${t.token_env} is not set`,
      {
        key: "siem.target.token_env",
      },
    );
  }
  const target: SiemTarget =
    t.kind === "splunk_hec"
      ? { kind: t.kind, url: t.url, token, index: t.index, host: t.host, sourcetype: t.sourcetype }
      : { kind: t.kind, url: t.url, token, index: t.index, auth: t.auth };
  return {
    cursorName: siem.cursor,
    target,
    format: siem.format,
    batchSize: siem.batch_size,
    maxBatchBytes: siem.max_batch_bytes,
    timeoutMs: siem.timeout_ms,
    idlePollMs: siem.idle_poll_ms,
    backoff: {
      initialMs: siem.backoff.initial_ms,
      maxMs: siem.backoff.max_ms,
      retryAfterCapMs: siem.backoff.retry_after_cap_ms,
    },
    allowInsecureHttp: t.allow_insecure_http,
  };
}
