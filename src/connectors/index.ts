import type { ConnectorsConfig } from "../config/schema.js";
import { createAwsClient } from "./aws.js";
import { createConfluenceClient } from "./confluence.js";
import { createGitHubClient } from "./github.js";
import { createJiraClient } from "./jira.js";
import { createSlackClient } from "./slack.js";
import type { Connectors } from "./types.js";

/** Reads a credential by environment-variable name; never logged, never returned to a caller. */
export type CredentialSource = (envName: string) => string | undefined;

export function createConnectors(cfg: ConnectorsConfig, credential: CredentialSource): Connectors {
  return {
    github: createGitHubClient(cfg.github, cfg.http, credential),
    jira: createJiraClient(cfg.jira, cfg.http, credential),
    confluence: createConfluenceClient(cfg.confluence, cfg.http, credential),
    slack: createSlackClient(cfg.slack, cfg.http, credential),
    aws: createAwsClient(cfg.aws, cfg.http, credential),
  };
}

/** The same connectors, pointed at the bundled simulator at `baseUrl`. */
export function sandboxConnectorsConfig(cfg: ConnectorsConfig, baseUrl: string): ConnectorsConfig {
  return {
    ...cfg,
    github: { ...cfg.github, api_url: `${baseUrl}/github` },
    jira: { ...cfg.jira, url: `${baseUrl}/jira` },
    confluence: { ...cfg.confluence, url: `${baseUrl}/confluence/wiki` },
    slack: { ...cfg.slack, api_url: `${baseUrl}/slack/api` },
    aws: { ...cfg.aws, endpoint: `${baseUrl}/aws` },
  };
}
