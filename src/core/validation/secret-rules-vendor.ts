import { shannonEntropy } from "./entropy.js";
import { isPlaceholder } from "./placeholder.js";
import { regexRule, type SecretCategory, type SecretDetector } from "./secret-detector.js";

/**
 * Vendor token formats with a recognisable prefix or shape, as published by the vendors and by
 * open scanners (gitleaks, Nosey Parker, secretlint). A prefix makes these high-signal, so they
 * need no keyword context; each still rejects placeholders ("ghp_xxxx…", "sk_live_abc…xyz").
 *
 * Every pattern starts with a look-behind that forbids a token character just before the
 * prefix, so a run like "ghp_ghp_ghp_…" offers one start, not thousands (linear-time scans).
 */

/** Left boundary: no word character or dash just before the token. */
const L = "(?<![A-Za-z0-9_\\-])";
/** Right boundary: no word character or dash just after the token. */
const R = "(?![A-Za-z0-9_\\-])";

const real = (secret: string): boolean => !isPlaceholder(secret);
const hasDigit = (s: string): boolean => /[0-9]/.test(s);
const mixedCase = (s: string): boolean => /[a-z]/.test(s) && /[A-Z]/.test(s);

type Spec = [id: string, category: SecretCategory, source: string, accept?: (s: string) => boolean];

const SPECS: Spec[] = [
  // Cloud providers
  [
    "aws-access-key-id",
    "aws_access_key",
    "(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Z0-9])",
    (s) => real(s) && hasDigit(s),
  ],
  ["aws-bedrock-api-key", "api_key", `${L}ABSK[A-Za-z0-9+/]{109,269}={0,2}`, real],
  ["aws-appsync-api-key", "api_key", `${L}da2-[a-z0-9]{26}${R}`, (s) => real(s) && hasDigit(s)],
  [
    "amazon-mws-auth-token",
    "token",
    "amzn\\.mws\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    real,
  ],
  ["google-api-key", "api_key", `${L}AIza[0-9A-Za-z_\\-]{35}${R}`, real],
  ["google-oauth-token", "token", `${L}ya29\\.[0-9A-Za-z_\\-]{20,500}`, real],
  ["google-oauth-client-secret", "generic_secret", `${L}GOCSPX-[0-9A-Za-z_\\-]{28}${R}`, real],
  [
    "azure-ad-client-secret",
    "generic_secret",
    "(?<![A-Za-z0-9_~.\\-])[A-Za-z0-9_~.\\-]{3}[0-9]Q~[A-Za-z0-9_~.\\-]{31,34}(?![A-Za-z0-9_~.\\-])",
    (s) => real(s) && shannonEntropy(s) > 3.5,
  ],
  ["azure-devops-pat", "token", `${L}[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}${R}`, real],
  ["digitalocean-token", "token", `${L}do[opr]_v1_[a-f0-9]{64}${R}`, real],
  ["cloudflare-api-token", "api_key", `${L}cf(?:at|ut|k)_[A-Za-z0-9]{40,48}${R}`, real],
  ["cloudflare-origin-ca-key", "api_key", `${L}v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}${R}`, real],
  ["heroku-api-key-v2", "api_key", `${L}HRKU-[A-Za-z0-9_\\-]{58,60}`, real],
  ["vercel-token", "token", `${L}vc[pikar]_[A-Za-z0-9]{24,64}${R}`, real],
  ["databricks-token", "token", `${L}dapi[a-fA-F0-9]{32}(?:-[0-9])?${R}`, real],
  [
    "tailscale-key",
    "api_key",
    "(?<![A-Za-z])tskey-[a-z]{2,12}-[A-Za-z0-9]{6,20}-[A-Za-z0-9]{16,48}(?![A-Za-z0-9])",
    real,
  ],
  // Source control, CI and package registries
  ["github-token", "github_token", `${L}gh[pousr]_[A-Za-z0-9_]{36,251}${R}`, real],
  ["github-fine-grained-pat", "github_token", `${L}github_pat_[A-Za-z0-9_]{50,255}${R}`, real],
  [
    "gitlab-token",
    "token",
    `${L}(?:glpat|glptt|glrt|gldt|glft|glsoat|glcbt|glimt|glagent|gloas|glwt)-[A-Za-z0-9_\\-.]{20,120}${R}`,
    real,
  ],
  ["gitlab-runner-registration-token", "token", `${L}GR1348941[A-Za-z0-9_\\-]{20,40}${R}`, real],
  ["bitbucket-app-password", "password", `${L}ATBB[A-Za-z0-9_=.\\-]{28,40}${R}`, real],
  ["npm-token", "token", `${L}npm_[A-Za-z0-9]{36}${R}`, real],
  ["pypi-token", "token", `${L}pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\\-]{50,400}`, real],
  ["rubygems-api-key", "api_key", `${L}rubygems_[a-f0-9]{48}${R}`, real],
  ["nuget-api-key", "api_key", `${L}oy2[a-z0-9]{43}${R}`, (s) => real(s) && hasDigit(s)],
  ["docker-hub-pat", "token", `${L}dckr_pat_[A-Za-z0-9_\\-]{20,60}`, real],
  ["artifactory-api-key", "api_key", `${L}AKCp[A-Za-z0-9]{69}${R}`, real],
  ["artifactory-reference-token", "token", `${L}cmVmdGtu[A-Za-z0-9]{56}${R}`, real],
  ["terraform-cloud-token", "token", `${L}[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_\\-=]{60,70}`, real],
  ["hashicorp-vault-token", "token", `${L}hv[sbr]\\.[A-Za-z0-9_\\-]{24,300}${R}`, real],
  [
    "hashicorp-vault-legacy-token",
    "token",
    "(?<![A-Za-z0-9_.\\-])[sbr]\\.(?:[A-Za-z0-9]{24,30}|CAES[A-Za-z0-9_\\-]{60,300})(?![A-Za-z0-9_.\\-])",
    (s) => real(s) && hasDigit(s) && mixedCase(s),
  ],
  [
    "flyio-token",
    "token",
    `${L}(?:fo1_[A-Za-z0-9_\\-]{43}|FlyV1 fm[12][ar]?_[A-Za-z0-9+/=,_\\-]{100,4000})`,
    real,
  ],
  ["intra42-client-secret", "generic_secret", `${L}s-s4t2(?:ud|af)-[a-f0-9]{64}${R}`, real],
  [
    "cratesio-api-key",
    "api_key",
    `${L}cio[A-Za-z0-9]{32}${R}`,
    (s) => real(s) && hasDigit(s) && mixedCase(s),
  ],
  [
    "doppler-token",
    "token",
    `${L}dp\\.(?:ct|pt|sa|scim|audit|st(?:\\.[a-z0-9_\\-]{2,35})?)\\.[A-Za-z0-9]{40,44}${R}`,
    real,
  ],
  ["sentry-token", "token", `${L}(?:sntrys_eyJ[A-Za-z0-9+/=_]{50,400}|sntryu_[a-f0-9]{64})`, real],
  [
    "grafana-token",
    "token",
    `${L}(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|eyJrIjoi[A-Za-z0-9+/]{40,200}={0,2})`,
    real,
  ],
  [
    "newrelic-key",
    "api_key",
    `${L}(?:NRAK-[A-Z0-9]{27}|NRAA-[a-f0-9]{27}|NRI[IQ]-[A-Za-z0-9_\\-]{32}|NRRA-[a-f0-9]{42}|[a-f0-9]{36}NRAL|px-(?:api|dep)-[a-f0-9\\-]{36})${R}`,
    real,
  ],
  ["postman-api-key", "api_key", `${L}PMAK-[a-f0-9]{24}-[a-f0-9]{34}${R}`, real],
  ["sourcegraph-token", "token", `${L}sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}${R}`, real],
  ["onepassword-service-account-token", "token", `${L}ops_eyJ[A-Za-z0-9+/=_\\-]{100,4000}`, real],
  [
    "onepassword-secret-key",
    "password",
    `${L}A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}${R}`,
    real,
  ],
  ["age-secret-key", "private_key", "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", real],
  // Collaboration and messaging
  [
    "slack-token",
    "slack_token",
    "(?<![A-Za-z0-9])xox[abposer]-(?:[0-9]{1,2}-)?[0-9]{5,15}-[A-Za-z0-9\\-]{13,250}[A-Za-z0-9](?![A-Za-z0-9\\-])",
    real,
  ],
  ["slack-config-token", "slack_token", `${L}(?:xoxe\\.xox[bp]|xoxe)-[0-9]-[A-Za-z0-9]{100,300}${R}`, real],
  ["slack-app-token", "slack_token", `${L}xapp-[0-9]{1,15}-[A-Za-z0-9/+\\-]{16,300}`, real],
  ["atlassian-api-token", "token", `${L}AT(?:ATT|CTT)3[A-Za-z0-9_\\-=]{60,300}`, real],
  ["notion-token", "token", `${L}ntn_[0-9]{11}[A-Za-z0-9]{35}${R}`, real],
  ["linear-api-key", "api_key", `${L}lin_api_[A-Za-z0-9]{40}${R}`, real],
  ["figma-token", "token", `${L}figd_[A-Za-z0-9_\\-]{40,60}${R}`, real],
  ["telegram-bot-token", "token", "(?<![0-9])[0-9]{8,10}:AA[A-Za-z0-9_\\-]{32,33}(?![A-Za-z0-9_\\-])", real],
  ["twitch-stream-key", "token", `${L}live_[0-9]{6,10}_[A-Za-z0-9]{30}${R}`, real],
  ["dropbox-token", "token", `${L}sl\\.[A-Za-z0-9_\\-]{130,160}${R}`, real],
  [
    "facebook-access-token",
    "token",
    `${L}EAA[A-Za-z0-9]{20,300}${R}`,
    (s) => real(s) && hasDigit(s) && mixedCase(s),
  ],
  ["facebook-app-token", "token", "(?<![0-9])[0-9]{15,16}\\|[A-Za-z0-9_\\-]{27}(?![A-Za-z0-9_\\-])", real],
  ["mapbox-secret-token", "token", `${L}[st]k\\.eyJ[A-Za-z0-9_\\-]{20,300}\\.[A-Za-z0-9_\\-]{20,100}`, real],
  // Payments, e-mail and SaaS APIs
  ["stripe-key", "api_key", `${L}(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{20,247}${R}`, real],
  ["square-token", "token", `${L}sq0(?:atp|csp)-[0-9A-Za-z_\\-]{22,60}${R}`, real],
  ["braintree-access-token", "token", "access_token\\$production\\$[0-9a-z]{16}\\$[0-9a-f]{32}", real],
  ["shopify-token", "token", `${L}shp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,64}${R}`, real],
  ["sendgrid-api-key", "api_key", `${L}SG\\.[A-Za-z0-9_\\-]{22}\\.[A-Za-z0-9_\\-]{43}${R}`, real],
  [
    "twilio-api-key",
    "api_key",
    `${L}SK[0-9a-fA-F]{32}${R}`,
    (s) => real(s) && /[a-fA-F]/.test(s.slice(2)) && hasDigit(s),
  ],
  ["mailgun-api-key", "api_key", `${L}key-[0-9a-zA-Z]{32}${R}`, (s) => real(s) && hasDigit(s)],
  ["mailchimp-api-key", "api_key", `${L}[0-9a-f]{32}-us[0-9]{1,2}${R}`, real],
  ["stackhawk-api-key", "api_key", `${L}hawk\\.[A-Za-z0-9_\\-]{20}\\.[A-Za-z0-9_\\-]{20}${R}`, real],
  [
    "octopus-deploy-api-key",
    "api_key",
    "(?<![A-Za-z0-9_\\-/])API-[A-Z0-9]{26}(?![A-Za-z0-9_\\-])",
    (s) => real(s) && hasDigit(s),
  ],
  ["salesforce-access-token", "token", `${L}00[A-Za-z0-9]{13}![A-Za-z0-9_.]{80,100}`, real],
  ["dependency-track-api-key", "api_key", `${L}odt_[A-Za-z0-9]{32,40}${R}`, real],
  ["adafruit-io-key", "api_key", `${L}aio_[A-Za-z0-9]{28}${R}`, real],
  ["scalingo-api-token", "token", `${L}tk-us-[A-Za-z0-9_\\-]{48}`, real],
  ["prefect-api-key", "api_key", `${L}pnu_[A-Za-z0-9]{36}${R}`, real],
  ["readme-api-key", "api_key", `${L}rdme_[a-z0-9]{70}${R}`, real],
  ["pulumi-access-token", "token", `${L}pul-[a-f0-9]{40}${R}`, real],
  [
    "infracost-api-key",
    "api_key",
    `${L}ico-[A-Za-z0-9]{32}${R}`,
    (s) => real(s) && hasDigit(s) && mixedCase(s),
  ],
  // AI providers
  [
    "openai-api-key",
    "api_key",
    `${L}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\\-]{16,200}T3BlbkFJ[A-Za-z0-9_\\-]{16,200}`,
    real,
  ],
  ["anthropic-api-key", "api_key", `${L}sk-ant-(?:api|admin)0[0-9]-[A-Za-z0-9_\\-]{80,120}AA${R}`, real],
  ["huggingface-token", "token", `${L}(?:hf_|api_org_)[A-Za-z]{34}${R}`, real],
  ["groq-api-key", "api_key", `${L}gsk_[A-Za-z0-9]{52}${R}`, real],
  ["perplexity-api-key", "api_key", `${L}pplx-[A-Za-z0-9]{48}${R}`, real],
  ["tavily-api-key", "api_key", `${L}tvly-[A-Za-z0-9]{32}${R}`, real],
  ["jina-api-key", "api_key", `${L}jina_[A-Za-z0-9]{60}${R}`, real],
  ["firecrawl-api-key", "api_key", `${L}fc-[a-f0-9]{32}${R}`, real],
];

export const VENDOR_RULES: readonly SecretDetector[] = SPECS.map(([id, category, source, accept]) =>
  regexRule({ id, category, pattern: new RegExp(source), ...(accept ? { accept } : {}) }),
);
