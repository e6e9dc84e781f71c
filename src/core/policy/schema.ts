import { z } from "zod";

/**
 * The policy file, in the reference's format (seed 001, `policies/tool_policies.yaml`), with
 * Bridle's additive keys. Unknown keys are errors: a misspelt control must never be silently
 * ignored, because an ignored control is a control that does not exist.
 */

const name = z.string().min(1).max(200);
const nameList = z.array(name).default([]);

export const RiskSchema = z.enum(["low", "medium", "high", "critical"]);

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
export type PolicyFile = z.infer<typeof PolicyFileSchema>;
