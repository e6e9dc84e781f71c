import { isAuthToken, isStandIn } from "./credential-value.js";
import { isPlaceholder } from "./placeholder.js";
import { regexRule, type SecretDetector } from "./secret-detector.js";

/**
 * Secrets recognised by their surrounding structure rather than a vendor prefix: JWTs, URLs
 * with inline passwords, HTTP authorization headers, credentials on a command line, netrc
 * entries, crypt(3) password hashes and webhook URLs whose path is the credential.
 */

const real = (secret: string): boolean => !isPlaceholder(secret);
const realPassword = (secret: string): boolean => !isStandIn(secret);

export const STRUCTURAL_RULES: readonly SecretDetector[] = [
  regexRule({
    id: "jwt",
    category: "jwt",
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,2000}\.eyJ[A-Za-z0-9_-]{2,8000}\.[A-Za-z0-9_-]{0,2000}/,
    accept: real,
  }),
  regexRule({
    id: "slack-webhook",
    category: "webhook_url",
    pattern:
      /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]{6,20}\/[A-Za-z0-9]{6,20}\/([A-Za-z0-9/]{8,100})/,
    accept: (_s, m) => real(m[1] ?? ""),
  }),
  regexRule({
    id: "teams-webhook",
    category: "webhook_url",
    pattern:
      /https:\/\/(?:[A-Za-z0-9-]{1,60}\.webhook\.office\.com\/webhookb2|outlook\.office(?:365)?\.com\/webhook)\/[0-9a-f-]{36}@[0-9a-f-]{36}\/IncomingWebhook\/[0-9a-f]{32}/i,
  }),
  regexRule({
    id: "discord-webhook",
    category: "webhook_url",
    pattern:
      /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/[0-9]{17,20}\/[A-Za-z0-9_-]{60,70}/,
  }),
  regexRule({
    // scheme://user:password@host — the password group may itself contain "@" or ":".
    id: "url-credentials",
    category: "password",
    pattern:
      /(?<![A-Za-z0-9+.-])[a-z][a-z0-9+.-]{1,20}:\/\/([^\s:@/?#"'<>`]{0,100}):([^\s/?"'<>`]{1,200})@(?=[A-Za-z0-9[])/i,
    group: 2,
    // "postgres:postgres@" and "user:abc@" are documentation defaults, not leaked passwords.
    accept: (s, m) => s !== "x-oauth-basic" && s !== m[1] && s.length >= 4 && realPassword(s),
  }),
  regexRule({
    // git+https://<token>:x-oauth-basic@github.com — here the user part is the credential.
    id: "url-credentials",
    category: "token",
    pattern: /:\/\/([A-Za-z0-9_]{20,100}):x-oauth-basic@/,
    group: 1,
    accept: real,
  }),
  regexRule({
    id: "authorization-header",
    category: "token",
    pattern:
      /(?<![A-Za-z0-9_-])(?:Bearer|Basic|Token|SSWS|Api-Token|Api-Key|OAuth)\s{1,4}([A-Za-z0-9._~+/=-]{8,4096})(?![A-Za-z0-9._~+/=-])/i,
    group: 1,
    accept: isAuthToken,
  }),
  regexRule({
    id: "authorization-header",
    category: "token",
    pattern: /authorization["']?\s{0,4}[:=]\s{0,4}["']?([A-Za-z0-9._~+/=-]{16,4096})(?![A-Za-z0-9._~+/=-])/i,
    group: 1,
    accept: isAuthToken,
  }),
  regexRule({
    // curl -u user:password / --user "user:password"
    id: "cli-credentials",
    category: "password",
    pattern: /\s(?:-u|--user)\s{1,4}["']?[^\s"':]{0,100}:["']?([^\s"']{1,200})/,
    group: 1,
    accept: realPassword,
  }),
  regexRule({
    id: "cli-credentials",
    category: "password",
    pattern:
      /\b(?:docker login|psexec(?:\.exe)?|sshpass|connect-viserver|net use)\b[^\n]{0,200}?\s(?:-p|--password|-password)(?:\s{1,4}|=)["']?([^\s"']{3,200})/i,
    group: 1,
    accept: realPassword,
  }),
  regexRule({
    // new NetworkCredential("user", "password") / new DirectoryEntry(path, "user", "password")
    id: "cli-credentials",
    category: "password",
    pattern:
      /\b(?:NetworkCredential|DirectoryEntry)\((?:\s{0,12}"[^"\n]{0,200}"\s{0,12},){1,2}\s{0,12}"([^"\n]{4,200})"\s{0,12}\)/,
    group: 1,
    accept: realPassword,
  }),
  regexRule({
    // Bundler per-source credentials: BUNDLE_GEMS__EXAMPLE__COM=user:password
    id: "bundler-credentials",
    category: "password",
    pattern:
      /(?<![A-Za-z0-9_])BUNDLE_[A-Z0-9_]{1,80}__[A-Z]{2,10}["']?\s{0,4}[:=]\s{0,4}["']?([^\s"';&:]{3,200}:[^\s"';&]{3,200})/,
    group: 1,
    accept: realPassword,
  }),
  regexRule({
    // Prose disclosure: "the default password is 'hunter22'".
    id: "password-in-prose",
    category: "password",
    pattern: /\b(?:password|passphrase|passwd)\b[^.\n"'“]{0,30}?\bis\s{1,4}["'“]([^"'”\n]{3,64})["'”]/i,
    group: 1,
    accept: realPassword,
  }),
  regexRule({
    id: "netrc-credentials",
    category: "password",
    pattern: /\bmachine\s{1,4}\S{1,200}\s{1,8}login\s{1,4}\S{1,200}\s{1,8}password\s{1,4}(\S{1,200})/,
    group: 1,
    accept: realPassword,
  }),
  regexRule({
    id: "password-hash",
    category: "password",
    pattern:
      /(?<![A-Za-z0-9$])\$(?:2[abxy]?\$[0-9]{2}\$[./A-Za-z0-9]{53}|1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}|[56]\$(?:rounds=[0-9]{1,9}\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43,86}|8\$[./A-Za-z0-9]{14}\$[./A-Za-z0-9]{43}|krb5asrep\$23\$[^\s$]{1,200}\$[0-9a-f]{60,8000})/,
  }),
];
