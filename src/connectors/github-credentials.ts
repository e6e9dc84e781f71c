import type { GitHubConfig } from "../config/schema.js";
import { requireCredential } from "./http.js";

/**
 * Where the GitHub connector's Authorization header comes from, one action at a time.
 *
 *  - "app":   a GitHub App installation token minted for the one repository the action concerns,
 *             with only the permissions the action needs (zero standing privilege).
 *  - "token": the personal access token named by `token_env`, the same for every action — a
 *             standing credential, kept for development and for setups that cannot register an App.
 */

export type GitHubCredentialMode = "app" | "token";

/** What an action does to a repository; each maps to the permissions of the token it runs on. */
export type GitHubAction = "read" | "comment";

/**
 * The permissions an installation token is minted with, per action. Reads cover the pull
 * request, its files and the contents API; a conversation comment on a pull request needs
 * `pull_requests: write` (GitHub accepts it in place of `issues: write` on a pull request).
 */
export const ACTION_PERMISSIONS: Record<GitHubAction, Record<string, "read" | "write">> = {
  read: { pull_requests: "read", contents: "read" },
  comment: { pull_requests: "write" },
};

export interface GitHubCredentials {
  readonly mode: GitHubCredentialMode;
  /** The Authorization header value for `action` on `repository` of the configured owner. */
  authorization(repository: string, action: GitHubAction): Promise<string>;
}

export function githubCredentialMode(cfg: GitHubConfig): GitHubCredentialMode {
  return cfg.app ? "app" : "token";
}

/** The personal access token, read per action so a rotated token is picked up without a restart. */
export function personalTokenCredentials(
  cfg: GitHubConfig,
  credential: (envName: string) => string | undefined,
): GitHubCredentials {
  return {
    mode: "token",
    authorization: async () => `Bearer ${requireCredential("GitHub", credential, cfg.token_env)}`,
  };
}
