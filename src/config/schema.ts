import { z } from "zod";
import { SiemConfigSchema } from "../siem/config.js";

/**
 * The configuration file (DESIGN.md › Configuration). Every key is optional; unknown keys are
 * errors so a typo never silently falls back to a default.
 */

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name");
const httpUrl = z.url({ protocol: /^https?$/ });

export const ConnectorHttpSchema = z
  .object({
    timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
    retries: z.number().int().min(0).max(5).default(2),
    max_response_bytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(5 * 1024 * 1024),
  })
  .strict();

/**
 * A GitHub App the connector authenticates as. With it, every action runs on an installation
 * token minted for that one repository and only the permissions the action needs; without it,
 * the connector falls back to the standing personal access token in `token_env`.
 */
export const GitHubAppConfigSchema = z
  .object({
    /** The App's numeric id or its client id (`Iv…`); either is accepted as the JWT issuer. */
    app_id: z.union([
      z.number().int().positive(),
      z.string().regex(/^(?:[1-9][0-9]*|Iv[0-9A-Za-z.]{1,40})$/, "must be a GitHub App id or client id"),
    ]),
    /** PEM private key of the App; relative paths resolve against the config file's folder. */
    private_key_file: z.string().min(1),
    /** Looked up with GET /repos/{owner}/{repo}/installation when omitted. */
    installation_id: z.number().int().positive().optional(),
  })
  .strict();

export const GitHubConfigSchema = z
  .object({
    api_url: httpUrl.default("https://api.github.com"),
    owner: z.string().min(1).default("zyx-bank"),
    token_env: envName.default("GITHUB_TOKEN"),
    app: GitHubAppConfigSchema.optional(),
  })
  .strict();

export const JiraConfigSchema = z
  .object({
    url: httpUrl.default("https://zyx.atlassian.net"),
    email_env: envName.default("JIRA_EMAIL"),
    token_env: envName.default("JIRA_API_TOKEN"),
    rollback_plan_field: z.string().min(1).default("customfield_10050"),
    environment_field: z.string().min(1).default("customfield_10051"),
  })
  .strict();

export const ConfluenceConfigSchema = z
  .object({
    url: httpUrl.default("https://zyx.atlassian.net/wiki"),
    standards_cql: z.string().min(1).default('label = "security-standard"'),
    email_env: envName.default("JIRA_EMAIL"),
    token_env: envName.default("JIRA_API_TOKEN"),
  })
  .strict();

const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "must be an IAM role ARN");

export const AwsAccountSchema = z
  .object({
    /** The role reads assume (describe only). */
    role_arn: roleArn,
    /** The role writes assume, narrowed per call by a session policy; absent = no writes here. */
    change_role_arn: roleArn.optional(),
    region: z.string().optional(),
  })
  .strict();

export const AwsConfigSchema = z
  .object({
    region: z.string().min(1).default("ap-southeast-1"),
    endpoint: httpUrl.nullable().default(null),
    access_key_id_env: envName.default("AWS_ACCESS_KEY_ID"),
    secret_access_key_env: envName.default("AWS_SECRET_ACCESS_KEY"),
    session_duration_seconds: z.number().int().min(900).max(3600).default(900),
    accounts: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), AwsAccountSchema).default({
      development: {
        role_arn: "arn:aws:iam::111111111111:role/bridle-readonly",
        change_role_arn: "arn:aws:iam::111111111111:role/bridle-change",
      },
    }),
  })
  .strict();

export const SlackConfigSchema = z
  .object({
    api_url: httpUrl.default("https://slack.com/api"),
    token_env: envName.default("SLACK_BOT_TOKEN"),
    signing_secret_env: envName.default("SLACK_SIGNING_SECRET"),
    review_channel: z.string().min(1).default("devsecops-change-review"),
  })
  .strict();

export const ConnectorsConfigSchema = z
  .object({
    mode: z.enum(["sandbox", "live"]).default("sandbox"),
    http: ConnectorHttpSchema.default(ConnectorHttpSchema.parse({})),
    github: GitHubConfigSchema.default(GitHubConfigSchema.parse({})),
    jira: JiraConfigSchema.default(JiraConfigSchema.parse({})),
    confluence: ConfluenceConfigSchema.default(ConfluenceConfigSchema.parse({})),
    aws: AwsConfigSchema.default(AwsConfigSchema.parse({})),
    slack: SlackConfigSchema.default(SlackConfigSchema.parse({})),
  })
  .strict();

export type ConnectorHttpConfig = z.infer<typeof ConnectorHttpSchema>;
export type GitHubConfig = z.infer<typeof GitHubConfigSchema>;
export type GitHubAppConfig = z.infer<typeof GitHubAppConfigSchema>;
export type JiraConfig = z.infer<typeof JiraConfigSchema>;
export type ConfluenceConfig = z.infer<typeof ConfluenceConfigSchema>;
export type AwsConfig = z.infer<typeof AwsConfigSchema>;
export type SlackConfig = z.infer<typeof SlackConfigSchema>;
export type ConnectorsConfig = z.infer<typeof ConnectorsConfigSchema>;

export const ServerConfigSchema = z
  .object({
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65_535).default(8080),
    body_limit_bytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
  })
  .strict();

/**
 * Signature algorithms a token may use: asymmetric only. `none` and the HMAC family are not
 * even expressible, so no configuration can let a token signed with a public key (HS256 keyed
 * with the IdP's public key) or an unsigned one through.
 */
export const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;
const algorithms = z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1);

export const OidcConfigSchema = z
  .object({
    issuer: httpUrl,
    audience: z.string().min(1),
    /** The only place keys are fetched from (never a URL a token names). */
    jwks_uri: httpUrl,
    email_claim: z.string().min(1).default("email"),
    groups_claim: z.string().min(1).default("groups"),
    device_claim: z.string().min(1).default("device_compliant"),
    algorithms: algorithms.default(["RS256", "PS256", "ES256", "EdDSA"]),
    clock_skew_seconds: z.number().int().min(0).max(300).default(30),
    /** Least time between two JWKS fetches (an unknown `kid` triggers one; floods do not). */
    jwks_cooldown_seconds: z.number().int().min(1).max(3600).default(30),
    jwks_timeout_ms: z.number().int().min(100).max(30_000).default(5000),
  })
  .strict();

/** Agents that hold SPIFFE JWT-SVIDs, verified against the trust domain's JWKS bundle. */
export const SpiffeConfigSchema = z
  .object({
    trust_domain: z.string().regex(/^[a-z0-9.-]{1,255}$/, "a SPIFFE trust domain (e.g. zyx.example)"),
    jwks_uri: httpUrl,
    audience: z.string().min(1),
    algorithms: algorithms.default(["RS256", "ES256"]),
    clock_skew_seconds: z.number().int().min(0).max(300).default(30),
    jwks_cooldown_seconds: z.number().int().min(1).max(3600).default(30),
    jwks_timeout_ms: z.number().int().min(100).max(30_000).default(5000),
  })
  .strict();

export const DelegationConfigSchema = z
  .object({
    /** Ed25519 key that signs delegation tokens; generated (0600) on first start. */
    signing_key: z.string().min(1).default(".bridle/delegation-signing-key.pem"),
    default_ttl_seconds: z.number().int().min(30).max(86_400).default(900),
    max_ttl_seconds: z.number().int().min(30).max(86_400).default(3600),
    max_depth: z.number().int().min(1).max(8).default(4),
  })
  .strict()
  .refine((d) => d.default_ttl_seconds <= d.max_ttl_seconds, {
    message: "default_ttl_seconds must not exceed max_ttl_seconds",
  });

export const IdentityConfigSchema = z
  .object({
    mode: z.enum(["dev-headers", "oidc"]).default("dev-headers"),
    oidc: OidcConfigSchema.optional(),
    spiffe: SpiffeConfigSchema.optional(),
    delegation: DelegationConfigSchema.default(DelegationConfigSchema.parse({})),
    /**
     * A YAML file mapping `email: [groups]` (relative to the config file) for faces that learn
     * only an email, such as Slack approval buttons; see src/identity/directory.ts.
     */
    directory_file: z.string().min(1).optional(),
  })
  .strict()
  .refine((identity) => identity.mode !== "oidc" || identity.oidc !== undefined, {
    message: "identity.mode oidc needs identity.oidc (issuer, audience, jwks_uri)",
    path: ["oidc"],
  });

export type OidcConfig = z.infer<typeof OidcConfigSchema>;
export type SpiffeConfig = z.infer<typeof SpiffeConfigSchema>;
export type DelegationConfig = z.infer<typeof DelegationConfigSchema>;
export type IdentityConfig = z.infer<typeof IdentityConfigSchema>;

export const AuditConfigSchema = z
  .object({
    /** Ed25519 key that signs checkpoints; generated (0600) on first start. */
    signing_key: z.string().min(1).default(".bridle/audit-signing-key.pem"),
    checkpoint_every: z.number().int().min(1).max(1_000_000).default(1000),
  })
  .strict();

export const AnalysisConfigSchema = z
  .object({
    engine: z.enum(["rules"]).default("rules"),
  })
  .strict();

export const ConfigSchema = z
  .object({
    server: ServerConfigSchema.default(ServerConfigSchema.parse({})),
    policy: z.string().min(1).default("policies/tool_policies.yaml"),
    store: z
      .object({ url: z.string().min(1).default("sqlite:.bridle/bridle.db") })
      .strict()
      .default({ url: "sqlite:.bridle/bridle.db" }),
    identity: IdentityConfigSchema.default(IdentityConfigSchema.parse({})),
    audit: AuditConfigSchema.default(AuditConfigSchema.parse({})),
    connectors: ConnectorsConfigSchema.default(ConnectorsConfigSchema.parse({})),
    analysis: AnalysisConfigSchema.default(AnalysisConfigSchema.parse({})),
    siem: SiemConfigSchema.default(SiemConfigSchema.parse({})),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
