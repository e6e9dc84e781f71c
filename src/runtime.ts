import { existsSync } from "node:fs";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import type { LoadedConfig } from "./config/load.js";
import { resolveFrom } from "./config/load.js";
import { packageRoot } from "./config/paths.js";
import type { Config } from "./config/schema.js";
import { type CredentialSource, createConnectors, sandboxConnectorsConfig } from "./connectors/index.js";
import type { Connectors } from "./connectors/types.js";
import { toOcsf } from "./core/ledger/ocsf.js";
import { type Clock, systemClock, type TraceIdSource, traceIdsFrom } from "./harness/deps.js";
import { createLedger, type Ledger } from "./harness/ledger.js";
import { createPolicySource, type PolicySource } from "./harness/policy-source.js";
import { createChangeReview, WORKFLOW } from "./harness/review/change-review.js";
import { createToolRunner, type ToolRunner } from "./harness/tool-runner.js";
import { TOOL_CATALOG } from "./harness/tools/catalog.js";
import { createIdentity, type Identity } from "./identity/create-identity.js";
import { type Sandbox, startSandbox } from "./sandbox/server.js";
import { forwarderOptionsFromConfig } from "./siem/config.js";
import { createForwarder, type Forwarder } from "./siem/forwarder.js";
import type { AuditSink } from "./store/audit-sink.js";
import { openLedgerStore } from "./store/open-store.js";
import { loadOrCreateSigningKey } from "./store/signing-key.js";

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
  /** Where every audit event goes: the ledger's group-commit sink. */
  audit: AuditSink;
  ledger: Ledger;
  verifyLedger: Ledger["verify"];
  clock: Clock;
  newTraceId: TraceIdSource;
  sandbox: Sandbox | null;
  forwarder: Forwarder | null;
  /** Who is asking (every face goes through it) and delegation to agents. */
  identity: Identity;
  close(): Promise<void>;
}

export interface BridleOverrides {
  logger?: Logger;
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
  const policy = createPolicySource(
    configuredPolicyPath(loaded),
    logger,
    undefined,
    overrides.policyPollMs ?? 1000,
  );
  const ledger = await openLedger(loaded, logger, clock);
  const audit = ledger.sink;
  const newTraceId = overrides.newTraceId ?? traceIdsFrom(clock);

  let sandbox: Sandbox | null = null;
  let connectors: Connectors;
  if (config.connectors.mode === "sandbox") {
    sandbox = await startSandbox();
    const credentials = sandbox.credentials as unknown as Record<string, string>;
    connectors = createConnectors(
      sandboxConnectorsConfig(config.connectors, sandbox.url, sandbox.githubApp),
      (n) => credentials[n],
    );
  } else {
    connectors = createConnectors(config.connectors, overrides.credential ?? ((n) => process.env[n]), {
      baseDir: loaded.baseDir,
    });
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
    newTraceId,
    standardsCql: config.connectors.confluence.standards_cql,
    reviewChannel: config.connectors.slack.review_channel,
    accountFor: (environment) => (environment ?? "development").toLowerCase(),
  });

  const forwarder = startForwarder(config, ledger, logger);
  const identity = createIdentity({
    loaded,
    store: ledger.store.identities(),
    policy,
    workflows: [WORKFLOW],
    audit,
    clock,
    newTraceId,
  });

  return {
    config,
    logger,
    policy,
    runner,
    reviewChange,
    audit,
    ledger,
    verifyLedger: (onProgress) => ledger.verify(onProgress),
    clock,
    newTraceId,
    sandbox,
    forwarder,
    identity,
    async close() {
      policy.close();
      await forwarder?.stop();
      await sandbox?.close();
      await ledger.close();
    },
  };
}

/** The configured ledger alone (store, signing key, checkpoints): for CLI verbs that need no server. */
export async function openLedger(
  loaded: LoadedConfig,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<Ledger> {
  const { config } = loaded;
  return createLedger(
    await openLedgerStore(config.store.url, loaded.baseDir),
    loadOrCreateSigningKey(resolveFrom(loaded.baseDir, config.audit.signing_key)),
    clock,
    logger,
    config.audit.checkpoint_every,
  );
}

/** Streams the ledger to the configured SIEM collector, when one is configured. */
function startForwarder(config: Config, ledger: Ledger, logger: Logger): Forwarder | null {
  const configured = forwarderOptionsFromConfig(config.siem, process.env);
  if (!configured) return null;
  const forwarder = createForwarder({
    ...configured,
    store: ledger.store,
    transform: (record) => toOcsf(record),
    logger: logger.child({ component: "siem" }),
  });
  forwarder.start();
  return forwarder;
}

/** The configured policy; without a config file, fall back to the policy shipped in the package. */
export function configuredPolicyPath(loaded: LoadedConfig): string {
  const path = resolveFrom(loaded.baseDir, loaded.config.policy);
  if (loaded.file === null && !existsSync(path)) return join(packageRoot(), "policies/tool_policies.yaml");
  return path;
}
