import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { createAppAuth } from "@octokit/auth-app";
import type { Octokit } from "@octokit/rest";
import { z } from "zod";
import type { GitHubAppConfig } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { ACTION_PERMISSIONS, type GitHubAction, type GitHubCredentials } from "./github-credentials.js";
import { guardedFetchFailure, toBridleError, upstreamStatus } from "./github-errors.js";
import { InstallationTokenCache } from "./installation-token-cache.js";

/**
 * GitHub App authentication: the App's private key signs a short JWT (via @octokit/auth-app),
 * the JWT finds the installation and mints an installation token for exactly one repository and
 * the permissions of one action. The connector holds no standing credential beyond the key.
 *
 * Tokens live only in memory, in our own cache. auth-app's cache is switched off: it keeps a
 * token for a fixed 59 minutes from when it was stored and never looks at `expires_at`, so a
 * token GitHub issued with a shorter life (or a slow clock) would be reused after it expired.
 */

export interface GitHubAppCredentialsOptions {
  app: GitHubAppConfig;
  owner: string;
  privateKey: string;
  /** Octokit's request: the guarded fetch, the base URL and the user agent. */
  request: Octokit["request"];
  now: () => number;
}

/** A cached token is reused only while at least this much of its hour remains. */
const EXPIRY_MARGIN_MS = 5 * 60 * 1000;
const MAX_CACHED_TOKENS = 1000;
const SILENT = { warn() {}, info() {}, debug() {}, error() {} };
/** auth-app treats an empty string as a miss, and `set` stores nothing: no second copy of a token. */
const NO_CACHE = { get: () => "", set: () => undefined };

const InstallationResponse = z.object({ id: z.number().int().positive() });

export function createGitHubAppCredentials(options: GitHubAppCredentialsOptions): GitHubCredentials {
  const { app, owner, request } = options;
  const auth = createAppAuth({
    appId: app.app_id,
    privateKey: options.privateKey,
    request,
    log: SILENT,
    cache: NO_CACHE,
  });
  const tokens = new InstallationTokenCache({
    now: options.now,
    marginMs: EXPIRY_MARGIN_MS,
    maxEntries: MAX_CACHED_TOKENS,
  });
  // An app has one installation per account, so one lookup serves every repository of `owner`.
  let discovered: Promise<number> | null = null;

  const installationId = (repository: string): Promise<number> => {
    if (app.installation_id !== undefined) return Promise.resolve(app.installation_id);
    discovered ??= lookupInstallation(repository).catch((error: unknown) => {
      discovered = null;
      throw error;
    });
    return discovered;
  };

  const lookupInstallation = async (repository: string): Promise<number> => {
    try {
      const { token: jwt } = await auth({ type: "app" });
      const { data } = await request("GET /repos/{owner}/{repo}/installation", {
        owner,
        repo: repository,
        headers: { authorization: `Bearer ${jwt}` },
      });
      const parsed = InstallationResponse.safeParse(data);
      if (!parsed.success) throw unexpectedShape();
      return parsed.data.id;
    } catch (error) {
      throw appAuthError(error, "installation_lookup");
    }
  };

  const mint = async (repository: string, action: GitHubAction) => {
    const installation = await installationId(repository);
    try {
      const minted = await auth({
        type: "installation",
        installationId: installation,
        repositoryNames: [repository],
        permissions: ACTION_PERMISSIONS[action],
        refresh: true,
      });
      requireNarrowScope(minted, repository, action);
      const expiresAt = Date.parse(minted.expiresAt);
      if (Number.isNaN(expiresAt)) throw unexpectedShape();
      return { token: minted.token, expiresAt };
    } catch (error) {
      // The installation may have been removed and the app reinstalled under a new id.
      if (upstreamStatus(error) === 404 && app.installation_id === undefined) discovered = null;
      throw appAuthError(error, "installation_token");
    }
  };

  return {
    mode: "app",
    async authorization(repository, action) {
      const key = `${repository.toLowerCase()}\n${action}`;
      return `Bearer ${await tokens.tokenFor(key, () => mint(repository, action))}`;
    },
  };
}

interface MintedScope {
  repositorySelection: string;
  repositoryNames?: string[] | undefined;
  permissions: Record<string, string>;
}

/**
 * GitHub answers a narrowed request with the narrowed token; should it ever answer with more (an
 * older Enterprise Server, a proxy in between), the token is refused rather than used.
 */
function requireNarrowScope(minted: MintedScope, repository: string, action: GitHubAction): void {
  const names = minted.repositoryNames ?? [];
  const oneRepository =
    minted.repositorySelection === "selected" &&
    names.length === 1 &&
    names[0]!.toLowerCase() === repository.toLowerCase();
  const wanted: Record<string, string> = { metadata: "read", ...ACTION_PERMISSIONS[action] };
  const noMorePermissions = Object.entries(minted.permissions).every(
    ([name, level]) => level === wanted[name] || (level === "read" && wanted[name] === "write"),
  );
  if (!oneRepository || !noMorePermissions) {
    throw new BridleError("UPSTREAM_ERROR", "GitHub issued an installation token broader than requested", {
      service: "GitHub",
      step: "installation_token",
    });
  }
}

type AppAuthStep = "installation_lookup" | "installation_token";

/** Maps a failure of the App flow to a BridleError that names the step and the status, nothing else. */
function appAuthError(error: unknown, step: AppAuthStep): BridleError {
  const guarded = guardedFetchFailure(error);
  if (guarded) return guarded;
  const status = upstreamStatus(error);
  const detail = { service: "GitHub", step, ...(status !== null ? { status } : {}) };
  if (status === 404 && step === "installation_lookup") {
    return new BridleError(
      "UPSTREAM_NOT_FOUND",
      "GitHub App is not installed on the repository (404)",
      detail,
    );
  }
  if (status === 401 || status === 403) {
    return new BridleError("UPSTREAM_ERROR", `GitHub rejected the App's credentials (${status})`, detail);
  }
  if (status === 404 || status === 422) {
    return new BridleError(
      "UPSTREAM_ERROR",
      `GitHub App installation does not grant this repository or these permissions (${status})`,
      detail,
    );
  }
  if (status !== null) return toBridleError(error);
  return new BridleError("UPSTREAM_ERROR", "GitHub App authentication failed", detail);
}

function unexpectedShape(): BridleError {
  return new BridleError("UPSTREAM_ERROR", "GitHub returned an unexpected response shape", {
    service: "GitHub",
  });
}

/**
 * Read once, when the connector is built, so a missing or malformed key stops the gateway at
 * start instead of failing the first review. Messages name the file, never its content.
 */
export function readAppPrivateKey(file: string, baseDir: string): string {
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch {
    throw new BridleError("BAD_REQUEST", `connectors.github.app.private_key_file: cannot read ${path}`);
  }
  let isRsaPrivateKey = false;
  try {
    isRsaPrivateKey = createPrivateKey(pem).asymmetricKeyType === "rsa";
  } catch {
    // Reported below with the same message as a key of the wrong type.
  }
  if (!isRsaPrivateKey) {
    throw new BridleError(
      "BAD_REQUEST",
      `connectors.github.app.private_key_file: ${path} is not a PEM RSA private key`,
    );
  }
  return pem;
}
