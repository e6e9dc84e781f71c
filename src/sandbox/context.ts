import { randomBytes } from "node:crypto";

/**
 * Credentials the simulator accepts. They are minted per sandbox start so the connectors must
 * really send them (a request without them is refused exactly as the real API would refuse it).
 * Keys are the environment-variable names the default config points the connectors at.
 */
export interface SandboxCredentials {
  GITHUB_TOKEN: string;
  JIRA_EMAIL: string;
  JIRA_API_TOKEN: string;
  SLACK_BOT_TOKEN: string;
  SLACK_SIGNING_SECRET: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
}

export function mintSandboxCredentials(): SandboxCredentials {
  const hex = (n: number) => randomBytes(n).toString("hex");
  return {
    GITHUB_TOKEN: `ghs_${randomBytes(27).toString("base64url").slice(0, 36)}`,
    JIRA_EMAIL: "bridle-bot@zyxbank.example",
    JIRA_API_TOKEN: `ATATT${hex(24)}`,
    SLACK_BOT_TOKEN: `xoxb-${hex(6)}-${hex(6)}-${hex(12)}`,
    SLACK_SIGNING_SECRET: hex(16),
    AWS_ACCESS_KEY_ID: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
    AWS_SECRET_ACCESS_KEY: randomBytes(30).toString("base64").slice(0, 40),
  };
}

/**
 * Faults a test can inject to see how connectors behave when an upstream misbehaves: the
 * simulator answers requests whose path starts with `pathPrefix` with `status` (after `delayMs`),
 * for the next `times` requests (or forever when `times` is omitted).
 */
export interface SandboxFault {
  pathPrefix: string;
  status?: number;
  delayMs?: number;
  times?: number;
}
