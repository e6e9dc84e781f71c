import { parseDurationMs } from "../duration.js";
import { normalizeScope, type Scope } from "../identity/scope.js";
import type {
  BlastRadius,
  CircuitBreaker,
  KillSwitchSettings,
  PolicyFile,
  RateLimits,
  Risk,
  ToolPolicy,
} from "./schema.js";

/**
 * A policy prepared for fast, allocation-light decisions: every list the gateway tests
 * membership against becomes a Set once, at load time, not on every call.
 */
export interface CompiledTool {
  name: string;
  risk: Risk;
  write: boolean;
  connector: string;
  approvalRequired: boolean;
  approvalGroups: readonly string[];
  allowedGroups: ReadonlySet<string>;
  allowedAccounts: ReadonlySet<string> | null;
  allowedChannels: ReadonlySet<string> | null;
  productionAllowed: boolean;
  changeTicketRequired: boolean;
  rollbackPlanRequired: boolean;
  approvalsRequired: number;
  approvalTimeoutMs: number;
  approvalChannel: string | null;
  rateLimits: RateLimits | null;
  circuitBreaker: CircuitBreaker | null;
  blastRadius: BlastRadius | null;
}

export interface CompiledKillSwitch {
  allWriteToolsDisabled: boolean;
  readOnlyMode: boolean;
  disabledUsers: ReadonlySet<string>;
  disabledConnectors: ReadonlySet<string>;
  disabledWorkflows: ReadonlySet<string>;
  adminGroups: ReadonlySet<string>;
}

/** A registered agent: the most it may ever do, whoever delegates to it. */
export interface CompiledAgent {
  name: string;
  identity: string;
  owner: string;
  scope: Scope;
}

export interface CompiledPolicy {
  version: string;
  /** SHA-256 (hex) of the policy file's bytes, recorded with every decision. */
  sha256: string;
  source: PolicyFile;
  tools: ReadonlyMap<string, CompiledTool>;
  killSwitch: CompiledKillSwitch;
  /** Registered agents by identity (spiffe://… or oauth-client:…). */
  agents: ReadonlyMap<string, CompiledAgent>;
}

/** The connector a tool belongs to when the policy does not say: `jira_read` → `jira`. */
export function defaultConnector(toolName: string): string {
  const cut = toolName.indexOf("_");
  return cut === -1 ? toolName : toolName.slice(0, cut);
}

export function compileKillSwitch(ks: KillSwitchSettings): CompiledKillSwitch {
  return {
    allWriteToolsDisabled: ks.all_write_tools_disabled,
    readOnlyMode: ks.read_only_mode,
    disabledUsers: new Set(ks.disabled_users.map((u) => u.toLowerCase())),
    disabledConnectors: new Set(ks.disabled_connectors),
    disabledWorkflows: new Set(ks.disabled_workflows),
    adminGroups: new Set(ks.admin_groups),
  };
}

function compileTool(name: string, tool: ToolPolicy): CompiledTool {
  return {
    name,
    risk: tool.risk,
    write: tool.write,
    connector: tool.connector ?? defaultConnector(name),
    approvalRequired: tool.approval_required,
    approvalGroups: tool.approval_groups,
    allowedGroups: new Set(tool.allowed_groups),
    allowedAccounts: tool.allowed_accounts ? new Set(tool.allowed_accounts) : null,
    allowedChannels: tool.allowed_channels ? new Set(tool.allowed_channels.map(normalizeChannel)) : null,
    productionAllowed: tool.production_allowed,
    changeTicketRequired: tool.change_ticket_required,
    rollbackPlanRequired: tool.rollback_plan_required,
    approvalsRequired: tool.approvals_required,
    approvalTimeoutMs: parseDurationMs(tool.approval_timeout) ?? 3_600_000,
    approvalChannel: tool.approval_channel ? normalizeChannel(tool.approval_channel) : null,
    rateLimits: tool.rate_limits ?? null,
    circuitBreaker: tool.circuit_breaker ?? null,
    blastRadius: tool.blast_radius ?? null,
  };
}

/** Slack channel names are written with or without `#`; compare them without it. */
export function normalizeChannel(channel: string): string {
  return channel.startsWith("#") ? channel.slice(1) : channel;
}

export function compilePolicy(source: PolicyFile, sha256: string): CompiledPolicy {
  const tools = new Map<string, CompiledTool>();
  for (const [name, tool] of Object.entries(source.tools)) tools.set(name, compileTool(name, tool));
  return {
    version: source.version,
    sha256,
    source,
    tools,
    killSwitch: compileKillSwitch(source.kill_switch),
    agents: new Map(
      Object.entries(source.agents).map(([name, agent]) => [
        agent.identity,
        { name, identity: agent.identity, owner: agent.owner, scope: normalizeScope(agent) },
      ]),
    ),
  };
}
