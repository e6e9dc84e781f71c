import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { GitHubState, SandboxRepository } from "../github.js";
import type { GitHubPrincipal } from "./access.js";
import {
  type Access,
  grants,
  type IssuedInstallationToken,
  newInstallationToken,
  type Permissions,
} from "./app.js";
import { JWT_UNDECODABLE } from "./app-jwt.js";
import { installationJson, installationTokenJson } from "./wire.js";

/**
 * The two App endpoints a connector needs to turn an App JWT into a narrowly scoped installation
 * token: find the installation of a repository, then mint a token for it. Both accept only the
 * App JWT, as GitHub's do.
 */

export interface AppRouteHelpers {
  principalOf(request: FastifyRequest): GitHubPrincipal;
  findRepo(owner: string, repo: string): SandboxRepository | undefined;
  apiBase(request: FastifyRequest): string;
  githubError(reply: FastifyReply, status?: number, message?: string): FastifyReply;
  now(): number;
}

const NOT_IN_INSTALLATION =
  "There is at least one repository that does not exist or is not accessible to the parent installation.";
const NOT_GRANTED = "The permissions requested are not granted to this installation.";
/** GitHub's documented ceiling on repositories per token request. */
const MAX_REPOSITORIES = 500;

interface TokenRequestBody {
  repositories?: unknown;
  repository_ids?: unknown;
  permissions?: unknown;
}

export function registerAppRoutes(app: FastifyInstance, state: GitHubState, helpers: AppRouteHelpers) {
  const { principalOf, githubError } = helpers;
  const requireAppJwt = async (request: FastifyRequest, reply: FastifyReply) => {
    if (principalOf(request).kind !== "app") return githubError(reply, 401, JWT_UNDECODABLE);
  };

  app.get<{ Params: { owner: string; repo: string } }>(
    "/repos/:owner/:repo/installation",
    { onRequest: requireAppJwt },
    async (request, reply) => {
      if (!helpers.findRepo(request.params.owner, request.params.repo)) return githubError(reply);
      return installationJson(helpers.apiBase(request), state);
    },
  );

  app.post<{ Params: { installation_id: string }; Body: TokenRequestBody | undefined }>(
    "/app/installations/:installation_id/access_tokens",
    { onRequest: requireAppJwt },
    async (request, reply) => {
      if (request.params.installation_id !== String(state.app.installation.id)) return githubError(reply);
      const body = request.body ?? {};
      const repositories = scopedRepositories(state, body, helpers);
      if (repositories === "invalid") return githubError(reply, 422, NOT_IN_INSTALLATION);
      const permissions = narrowedPermissions(state, body.permissions);
      if (permissions === "invalid") return githubError(reply, 422, NOT_GRANTED);
      const issuedAt = helpers.now();
      const grant: IssuedInstallationToken = {
        token: newInstallationToken(),
        installationId: state.app.installation.id,
        repositories,
        permissions,
        issuedAt,
        // GitHub reports expiry in whole seconds; keep the record identical to what the client sees.
        expiresAt: Math.floor((issuedAt + state.app.tokenTtlMs) / 1000) * 1000,
      };
      state.installationTokens.push(grant);
      return reply.code(201).send(installationTokenJson(helpers.apiBase(request), state, grant));
    },
  );
}

/** The repositories a token request names (by name or id), or null when it names none. */
function scopedRepositories(
  state: GitHubState,
  body: TokenRequestBody,
  helpers: AppRouteHelpers,
): string[] | null | "invalid" {
  const { repositories: names, repository_ids: ids } = body;
  if (names === undefined && ids === undefined) return null;
  if (names !== undefined && !isArrayOf(names, "string")) return "invalid";
  if (ids !== undefined && !isArrayOf(ids, "number")) return "invalid";
  const found = new Set<string>();
  for (const name of (names as string[] | undefined) ?? []) {
    const repo = helpers.findRepo(state.owner.login, name);
    if (!repo) return "invalid";
    found.add(repo.name);
  }
  for (const id of (ids as number[] | undefined) ?? []) {
    const repo = Object.values(state.repositories).find((r) => r.id === id);
    if (!repo) return "invalid";
    found.add(repo.name);
  }
  if (found.size === 0 || found.size > MAX_REPOSITORIES) return "invalid";
  return [...found].sort();
}

/**
 * The token's permissions: the installation's when none are asked for, otherwise exactly those
 * asked for — each no more than the installation holds. Every token can read metadata.
 */
function narrowedPermissions(state: GitHubState, requested: unknown): Permissions | "invalid" {
  const held = state.app.installation.permissions;
  if (requested === undefined) return { ...held };
  if (typeof requested !== "object" || requested === null || Array.isArray(requested)) return "invalid";
  const out: Permissions = { metadata: "read" };
  for (const [name, level] of Object.entries(requested)) {
    if (level !== "read" && level !== "write") return "invalid";
    if (!grants(held[name], level as Access)) return "invalid";
    out[name] = level;
  }
  return out;
}

function isArrayOf(value: unknown, type: "string" | "number"): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === type);
}
