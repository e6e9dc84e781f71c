import { z } from "zod";
import { parseDurationMs } from "../duration.js";

/**
 * The policy file, in the reference's format (seed 001, `policies/tool_policies.yaml`), with
 * Bridle's additive keys. Unknown keys are errors: a misspelt control must never be silently
 * ignored, because an ignored control is a control that does not exist.
 */

const name = z.string().min(1).max(200);
const nameList = z.array(name).default([]);

export const RiskSchema = z.enum(["low", "medium", "high", "critical"]);

/** `90s`, `15m`, `4h`, `7d`: every duration in the policy file is written this way. */
export const DurationSchema = z
  .string()
  .refine((text) => (parseDurationMs(text) ?? 0) > 0, "a duration like 90s, 15m, 4h or 7d");

const count = z.number().int().min(1).max(1_000_000);

/** Bridle: call windows; any window left out is unlimited. */
export const RateWindowSchema = z
  .object({ max_per_minute: count.optional(), max_per_hour: count.optional(), max_per_day: count.optional() })
  .strict();

export const RateLimitsSchema = z
  .object({
    /** Calls by one human (the root of any delegation chain). */
    per_user: RateWindowSchema.optional(),
    /** Calls by one agent (the acting agent of a delegation). */
    per_agent: RateWindowSchema.optional(),
    /** Calls of the tool by everyone together. */
    per_tool: RateWindowSchema.optional(),
  })
  .strict();

/** Bridle: stops a tool that keeps failing or keeps being rolled back, for a cooldown. */
export const CircuitBreakerSchema = z
  .object({
    /** Opens when the share of failed calls in `window` reaches this (with at least `min_calls`). */
    error_rate: z.number().gt(0).max(1).default(0.5),
    min_calls: z.number().int().min(1).max(100_000).default(5),
    window: DurationSchema.default("10m"),
    /** Opens after this many rollbacks of the tool's changes in `window`. */
    max_rollbacks: z.number().int().min(1).max(1000).optional(),
    cooldown: DurationSchema.default("15m"),
    /** While open: refuse the tool, or let it run only with an approval. */
    on_open: z.enum(["deny", "require_approval"]).default("deny"),
  })
  .strict();

/** Bridle: how much one call, and one hour of calls, may touch. Production is never in reach. */
export const BlastRadiusSchema = z
  .object({
    max_resources_per_call: count.optional(),
    max_resources_per_hour: count.optional(),
    over_limit: z.enum(["deny", "require_approval"]).default("deny"),
  })
  .strict();

export const KillSwitchSchema = z
  .object({
    all_write_tools_disabled: z.boolean().default(false),
    disabled_connectors: nameList,
    disabled_users: nameList,
    read_only_mode: z.boolean().default(false),
    /** Bridle: workflows (e.g. `change_review`) that may not run. */
    disabled_workflows: nameList,
    /** Bridle: groups allowed to set the runtime kill switch. */
    admin_groups: nameList,
  })
  .strict();

export const ToolPolicySchema = z
  .object({
    risk: RiskSchema.default("medium"),
    allowed_groups: nameList,
    write: z.boolean().default(false),
    approval_required: z.boolean().default(false),
    approval_groups: nameList,
    /** Accounts the tool's `account` argument may name; absent = no account restriction. */
    allowed_accounts: z.array(name).optional(),
    /** Channels the tool's `channel` argument may name; absent = no channel restriction. */
    allowed_channels: z.array(name).optional(),
    /** When false, a call whose `account` or `environment` argument is production is denied. */
    production_allowed: z.boolean().default(true),
    change_ticket_required: z.boolean().default(false),
    rollback_plan_required: z.boolean().default(false),
    /** Bridle: the connector the tool uses, for `disabled_connectors`; defaults to the name's prefix. */
    connector: name.optional(),
    /** Bridle: distinct approvers needed (2 = dual control). */
    approvals_required: z.number().int().min(1).max(10).default(1),
    /** Bridle: how long a request waits for its approvals before it expires (and never runs). */
    approval_timeout: DurationSchema.default("1h"),
    /** Bridle: the Slack channel approval requests are posted to. */
    approval_channel: name.optional(),
    rate_limits: RateLimitsSchema.optional(),
    circuit_breaker: CircuitBreakerSchema.optional(),
    blast_radius: BlastRadiusSchema.optional(),
  })
  .strict();

export const AuditPolicySchema = z
  .object({
    /** Bridle: groups that may query the ledger over HTTP. Empty = nobody. */
    reader_groups: nameList,
  })
  .strict();

/** How an agent proves who it is: a SPIFFE ID (JWT-SVID) or an OAuth client id (client credentials). */
export const AGENT_IDENTITY =
  /^(spiffe:\/\/[a-z0-9.-]{1,255}\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{1,512}|oauth-client:[A-Za-z0-9._~-]{1,255})$/;

/**
 * Bridle: a non-human identity. An agent acts for a human only through a delegation, and never
 * beyond this scope, whatever the human may do: the gateway authorizes the intersection.
 */
export const AgentPolicySchema = z
  .object({
    identity: z
      .string()
      .regex(AGENT_IDENTITY, "an agent identity is spiffe://TRUST_DOMAIN/PATH or oauth-client:CLIENT_ID"),
    /** The human or team answerable for the agent (the inventory shows it). */
    owner: name,
    description: z.string().max(500).optional(),
    tools: nameList,
    workflows: nameList,
    accounts: nameList,
  })
  .strict();

export const PolicyFileSchema = z
  .object({
    version: z.union([z.string().min(1), z.number()]).transform(String),
    kill_switch: KillSwitchSchema.default(KillSwitchSchema.parse({})),
    audit: AuditPolicySchema.default(AuditPolicySchema.parse({})),
    tools: z.record(
      z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "tool names are lower_snake_case"),
      ToolPolicySchema,
    ),
    agents: z
      .record(z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "agent names are lower-case"), AgentPolicySchema)
      .default({}),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, string>();
    for (const [agentName, agent] of Object.entries(file.agents)) {
      for (const tool of agent.tools) {
        if (!(tool in file.tools)) {
          ctx.addIssue({
            code: "custom",
            path: ["agents", agentName, "tools"],
            message: `tool ${tool} is not defined in tools`,
          });
        }
      }
      const other = seen.get(agent.identity);
      if (other) {
        ctx.addIssue({
          code: "custom",
          path: ["agents", agentName, "identity"],
          message: `identity is already agent ${other}'s`,
        });
      }
      seen.set(agent.identity, agentName);
    }
  });

export type Risk = z.infer<typeof RiskSchema>;
export type KillSwitchSettings = z.infer<typeof KillSwitchSchema>;
export type ToolPolicy = z.infer<typeof ToolPolicySchema>;
export type AgentPolicy = z.infer<typeof AgentPolicySchema>;
export type RateLimits = z.infer<typeof RateLimitsSchema>;
export type CircuitBreaker = z.infer<typeof CircuitBreakerSchema>;
export type BlastRadius = z.infer<typeof BlastRadiusSchema>;
export type PolicyFile = z.infer<typeof PolicyFileSchema>;
