import { existsSync } from "node:fs";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import type { LoadedConfig } from "./config/load.js";
import { resolveFrom } from "./config/load.js";
import { packageRoot } from "./config/paths.js";
import type { Config } from "./config/schema.js";
import { type CredentialSource, createConnectors, sandboxConnectorsConfig } from "./connectors/index.js";
import type { Connectors } from "./connectors/types.js";
import { type Clock, systemClock, type TraceIdSource, traceIdsFrom } from "./harness/deps.js";
import { createPolicySource, type PolicySource } from "./harness/policy-source.js";
import { createChangeReview } from "./harness/review/change-review.js";
import { createToolRunner, type ToolRunner } from "./harness/tool-runner.js";
import { TOOL_CATALOG } from "./harness/tools/catalog.js";
import { type Sandbox, startSandbox } from "./sandbox/server.js";
import type { AuditSink } from "./store/audit-sink.js";
import { JsonlAuditSink } from "./store/jsonl-audit-sink.js";

/**
 * The composition root: builds every service from one validated config. Faces (HTTP, CLI)
 * receive a Bridle and call its services; none of them touches a connector directly.
 */
export interface Bridle {
  config: Config;
  logger: Logger;
  policy: PolicySource;
  runner: ToolRunner;
  reviewChange: ReturnType<typeof createChangeReview>;
  audit: AuditSink;
  sandbox: Sandbox | null;
  close(): Promise<void>;
}

export interface BridleOverrides {
  logger?: Logger;
  audit?: AuditSink;
  clock?: Clock;
  newTraceId?: TraceIdSource;
  /** Credentials in live mode; defaults to the process environment. */
  credential?: CredentialSource;
  policyPollMs?: number;
}

export function createLogger(level = process.env.BRIDLE_LOG_LEVEL ?? "info"): Logger {
  // Belt and braces: even if a credential-bearing object is ever logged, these paths are censored.
  return pino({
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        "*.token",
        "*.password",
        "*.secret",
        "headers.authorization",
      ],
      censor: "[REDACTED]",
    },
  });
}

export async function createBridle(loaded: LoadedConfig, overrides: BridleOverrides = {}): Promise<Bridle> {
  const { config } = loaded;
  const logger = overrides.logger ?? createLogger();
  const clock = overrides.clock ?? systemClock;
  const policy = createPolicySource(policyPath(loaded), logger, undefined, overrides.policyPollMs ?? 1000);
  const audit = overrides.audit ?? new JsonlAuditSink(resolveFrom(loaded.baseDir, config.audit.file));

  let sandbox: Sandbox | null = null;
  let connectors: Connectors;
  if (config.connectors.mode === "sandbox") {
    sandbox = await startSandbox();
    const credentials = sandbox.credentials as unknown as Record<string, string>;
    connectors = createConnectors(
      sandboxConnectorsConfig(config.connectors, sandbox.url),
      (n) => credentials[n],
    );
  } else {
    connectors = createConnectors(config.connectors, overrides.credential ?? ((n) => process.env[n]));
  }

  const runner = createToolRunner({
    policy: () => policy.current(),
    runtimeKillSwitch: () => null,
    tools: TOOL_CATALOG,
    connectors,
    audit,
    clock,
  });
  const reviewChange = createChangeReview({
    runner,
    audit,
    clock,
    newTraceId: overrides.newTraceId ?? traceIdsFrom(clock),
    standardsCql: config.connectors.confluence.standards_cql,
    reviewChannel: config.connectors.slack.review_channel,
    accountFor: (environment) => (environment ?? "development").toLowerCase(),
  });

  return {
    config,
    logger,
    policy,
    runner,
    reviewChange,
    audit,
    sandbox,
    async close() {
      policy.close();
      await sandbox?.close();
      await audit.close();
    },
  };
}

/** The configured policy; without a config file, fall back to the policy shipped in the package. */
function policyPath(loaded: LoadedConfig): string {
  const path = resolveFrom(loaded.baseDir, loaded.config.policy);
  if (loaded.file === null && !existsSync(path)) return join(packageRoot(), "policies/tool_policies.yaml");
  return path;
}
