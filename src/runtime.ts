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
import { type Approvals, createApprovals } from "./harness/approvals.js";
import { type Clock, systemClock, type TraceIdSource, traceIdsFrom } from "./harness/deps.js";
import { createGatedCalls, type GatedCalls } from "./harness/gated-calls.js";
import { createKillSwitch, type KillSwitchService } from "./harness/kill-switch.js";
import { createLedger, type Ledger } from "./harness/ledger.js";
import { createLimits } from "./harness/limits.js";
import { createPolicySource, type PolicySource } from "./harness/policy-source.js";
import { createChangeReview, WORKFLOW } from "./harness/review/change-review.js";
import { createSlackApprovalNotifier } from "./harness/slack-approvals.js";
import { createToolRunner, type ToolRunner } from "./harness/tool-runner.js";
import { TOOL_CATALOG } from "./harness/tools/catalog.js";
import { createIdentity, type Identity } from "./identity/create-identity.js";
import { loadDirectory } from "./identity/directory.js";
import { type Sandbox, startSandbox } from "./sandbox/server.js";
import type { SlackInteractionsDeps } from "./server/routes/slack-interactions.js";
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
  killSwitch: KillSwitchService;
  approvals: Approvals;
  /** The generic gated path for single tool calls (invoke, dry run, approval, rollback). */
  gated: GatedCalls;
  /** What `POST /v1/slack/interactions` needs (Slack approvals). */
  slackInteractions: SlackInteractionsDeps;
  close(): Promise<void>;
}

export interface BridleOverrides {
  logger?: Logger;
  clock?: Clock;
  newTraceId?: TraceIdSource;
  /** Credentials in live mode; defaults to the process environment. */
  credential?: CredentialSource;
  policyPollMs?: number;
  /** How often the runtime kill switch is re-read from the store (default 500 ms). */
  killSwitchPollMs?: number;
  /** How often pending approvals are checked for expiry (default 1 s; 0 = never). */
  approvalSweepMs?: number;
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
  let credential: CredentialSource;
  if (config.connectors.mode === "sandbox") {
    sandbox = await startSandbox();
    const credentials = sandbox.credentials as unknown as Record<string, string>;
    credential = (n) => credentials[n];
    connectors = createConnectors(
      sandboxConnectorsConfig(config.connectors, sandbox.url, sandbox.githubApp),
      credential,
    );
  } else {
    credential = overrides.credential ?? ((n) => process.env[n]);
    connectors = createConnectors(config.connectors, credential, { baseDir: loaded.baseDir });
  }

  const killSwitch = createKillSwitch({
    store: ledger.store.killSwitch(),
    policy: () => policy.current(),
    audit,
    clock,
    newTraceId,
    ...(overrides.killSwitchPollMs !== undefined ? { pollMs: overrides.killSwitchPollMs } : {}),
  });
  await killSwitch.refresh();
  const snapshots = ledger.store.snapshots();
  const limits = createLimits({ store: ledger.store.calls(), policy: () => policy.current(), clock });
  const runner = createToolRunner({
    policy: () => policy.current(),
    runtimeKillSwitch: () => killSwitch.current(),
    tools: TOOL_CATALOG,
    connectors,
    audit,
    clock,
    snapshots,
    limits,
  });
  const approvals = createApprovals({
    store: ledger.store.approvals(),
    runner,
    policy: () => policy.current(),
    audit,
    clock,
    ...(overrides.approvalSweepMs !== undefined ? { sweepMs: overrides.approvalSweepMs } : {}),
    onError: (error) => logger.error({ err: error }, "approvals: background step failed"),
    refreshKillSwitch: () => killSwitch.refresh(),
    notifier: createSlackApprovalNotifier({
      slack: connectors.slack,
      log: logger.child({ component: "slack-approvals" }),
      channelFor: (r) => policy.current().tools.get(r.tool)?.approvalChannel ?? null,
    }),
    onRolledBack: async (traceId, byTraceId, tool) => {
      await snapshots.markRolledBack(traceId, byTraceId);
      await limits.recordRollback(tool);
    },
  });
  const gated = createGatedCalls({
    runner,
    approvals,
    snapshots,
    tools: TOOL_CATALOG,
    newTraceId,
    onRolledBack: (tool) => limits.recordRollback(tool),
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
    killSwitch,
    approvals,
    gated,
    slackInteractions: {
      approvals,
      slack: connectors.slack,
      signingSecret: () => credential(config.connectors.slack.signing_secret_env),
      directory: config.identity.directory_file
        ? loadDirectory(resolveFrom(loaded.baseDir, config.identity.directory_file))
        : () => null,
      audit,
      clock,
      newTraceId,
    },
    async close() {
      policy.close();
      killSwitch.close();
      approvals.close();
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
