import type { SandboxRepository } from "../github.js";
import { type Access, grants, type IssuedInstallationToken, type SandboxAppRegistration } from "./app.js";
import { looksLikeJwt, verifyAppJwt } from "./app-jwt.js";

/**
 * Who is calling the simulated GitHub and what they may touch. Three kinds of caller, as on
 * api.github.com: a personal access token (the owner's full access), the App itself (JWT; only
 * the /app endpoints and the installation lookup), or an installation token (only the
 * repositories and permissions it was minted with, until it expires).
 */

export type GitHubPrincipal =
  | { kind: "personal-token" }
  | { kind: "app" }
  | { kind: "installation"; grant: IssuedInstallationToken };

export type Authentication = { ok: true; principal: GitHubPrincipal } | { ok: false; message: string };

export interface AccessContext {
  app: SandboxAppRegistration;
  installationTokens: IssuedInstallationToken[];
  personalToken: string;
  nowMs: number;
}

export async function authenticate(
  authorization: string | undefined,
  context: AccessContext,
): Promise<Authentication> {
  const credential = bearerCredential(authorization);
  if (credential === null) return { ok: false, message: "Requires authentication" };
  if (credential === context.personalToken) return { ok: true, principal: { kind: "personal-token" } };
  if (looksLikeJwt(credential)) {
    const verdict = await verifyAppJwt(credential, context.app, context.nowMs);
    return verdict.ok ? { ok: true, principal: { kind: "app" } } : verdict;
  }
  const grant = context.installationTokens.find((t) => t.token === credential);
  // An expired installation token is as unknown to GitHub as a made-up one.
  if (!grant || grant.expiresAt <= context.nowMs) return { ok: false, message: "Bad credentials" };
  return { ok: true, principal: { kind: "installation", grant } };
}

function bearerCredential(header: string | undefined): string | null {
  const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header ?? "");
  return match ? match[1]! : null;
}

export type RepositoryDecision = { allowed: true } | { allowed: false; status: 403 | 404; message: string };

const NOT_FOUND = { allowed: false, status: 404, message: "Not Found" } as const;
export const NOT_ACCESSIBLE = "Resource not accessible by integration";

/**
 * Whether `principal` may use one of `permissions` at `level` on `repo` (some endpoints accept
 * either of two, e.g. an issue comment on a pull request). A repository outside an installation
 * token's scope answers 404, as GitHub hides private repositories the caller cannot see; a
 * permission the token lacks answers 403.
 */
export function repositoryAccess(
  principal: GitHubPrincipal,
  repo: SandboxRepository | undefined,
  permissions: string | readonly string[],
  level: Access,
): RepositoryDecision {
  if (!repo) return NOT_FOUND;
  if (principal.kind === "personal-token") return { allowed: true };
  if (principal.kind === "app") return { allowed: false, status: 403, message: NOT_ACCESSIBLE };
  const { grant } = principal;
  const inScope = grant.repositories === null || grant.repositories.includes(repo.name);
  if (!inScope) return NOT_FOUND;
  const anyOf = typeof permissions === "string" ? [permissions] : permissions;
  if (!anyOf.some((permission) => grants(grant.permissions[permission], level))) {
    return { allowed: false, status: 403, message: NOT_ACCESSIBLE };
  }
  return { allowed: true };
}
