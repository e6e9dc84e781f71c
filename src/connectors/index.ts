import type { ConnectorsConfig, GitHubAppConfig } from "../config/schema.js";
import { createAwsClient } from "./aws.js";
import { createConfluenceClient } from "./confluence.js";
import { createGitHubClient } from "./github.js";
import { githubCredentialMode } from "./github-credentials.js";
import { createJiraClient } from "./jira.js";
import { createSlackClient } from "./slack.js";
import type { Connectors } from "./types.js";

/** Reads a credential by environment-variable name; never logged, never returned to a caller. */
export type CredentialSource = (envName: string) => string | undefined;

export interface ConnectorsOptions {
  /** Folder relative file paths in the connector config resolve against (the config file's). */
  baseDir?: string;
}

export function createConnectors(
  cfg: ConnectorsConfig,
  credential: CredentialSource,
  options: ConnectorsOptions = {},
): Connectors {
  return {
    github: createGitHubClient(cfg.github, cfg.http, credential, {
      ...(options.baseDir !== undefined ? { baseDir: options.baseDir } : {}),
    }),
    jira: createJiraClient(cfg.jira, cfg.http, credential),
    confluence: createConfluenceClient(cfg.confluence, cfg.http, credential),
    slack: createSlackClient(cfg.slack, cfg.http, credential),
    aws: createAwsClient(cfg.aws, cfg.http, credential),
  };
}

/** The bundled simulator's GitHub App, as `startSandbox` reports it. */
export interface SandboxGitHubAppRef {
  appId: number;
  privateKeyFile: string;
}

/**
 * The same connectors, pointed at the bundled simulator at `baseUrl`. Given the simulator's
 * GitHub App, the GitHub connector runs in App mode against it, as it should in production.
 */
export function sandboxConnectorsConfig(
  cfg: ConnectorsConfig,
  baseUrl: string,
  githubApp?: SandboxGitHubAppRef,
): ConnectorsConfig {
  const app: GitHubAppConfig | undefined = githubApp
    ? { app_id: githubApp.appId, private_key_file: githubApp.privateKeyFile }
    : undefined;
  const { app: _configuredApp, ...github } = cfg.github;
  return {
    ...cfg,
    github: { ...github, api_url: `${baseUrl}/github`, ...(app ? { app } : {}) },
    jira: { ...cfg.jira, url: `${baseUrl}/jira` },
    confluence: { ...cfg.confluence, url: `${baseUrl}/confluence/wiki` },
    slack: { ...cfg.slack, api_url: `${baseUrl}/slack/api` },
    aws: { ...cfg.aws, endpoint: `${baseUrl}/aws` },
  };
}

/**
 * Warnings a face should log once at start: live connectors that hold a standing credential
 * where a narrower one is available. Sandbox credentials are minted per start and harmless.
 */
export function connectorStartupWarnings(cfg: ConnectorsConfig): string[] {
  if (cfg.mode !== "live" || githubCredentialMode(cfg.github) === "app") return [];
  return [
    `connectors.github uses the personal access token in ${cfg.github.token_env}: a standing credential ` +
      "with every repository and permission it was ever granted, used for every action. Configure " +
      "connectors.github.app to run each action on a GitHub App installation token scoped to one " +
      "repository and the permissions that action needs.",
  ];
}
