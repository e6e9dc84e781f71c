import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SandboxCredentials } from "./context.js";
import { authenticate, type GitHubPrincipal, repositoryAccess } from "./github/access.js";
import type { Access, IssuedInstallationToken, SandboxAppRegistration } from "./github/app.js";
import { registerAppRoutes } from "./github/app-routes.js";
import { registerCommentRoutes } from "./github/comments.js";
import { contentJson, gitBlobSha, pullJson, repoJson, sha1 } from "./github/wire.js";
import {
  SEED_OWNER,
  type SeedFile,
  type SeedPullRequest,
  type SeedRepository,
  seedRepositories,
} from "./seed/github.js";

/**
 * GitHub REST simulator (mounted at /github): pull requests, their files (paginated with a Link
 * header, as api.github.com does), the contents API and conversation comments, plus the GitHub
 * App flow (App JWT -> installation -> repository- and permission-scoped installation token,
 * enforced on every repository endpoint). Shapes follow GitHub's documented responses closely
 * enough that Octokit and @octokit/auth-app run against it unchanged.
 */

export interface SandboxPullFile {
  sha: string;
  filename: string;
  status: "added" | "modified";
  additions: number;
  deletions: number;
  changes: number;
  /** Unified diff hunks, as GitHub sends them (no `diff --git` header); absent for empty files. */
  patch?: string;
}

export interface SandboxPull {
  repository: string;
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  draft: boolean;
  author: { login: string; id: number };
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  createdAt: string;
  updatedAt: string;
  files: SandboxPullFile[];
}

export interface SandboxRepository {
  name: string;
  id: number;
  description: string;
  defaultBranch: string;
  /** Branch name → commit sha. */
  branches: Record<string, string>;
  /** Commit sha → (path → file content). */
  trees: Record<string, Record<string, string>>;
}

export interface SandboxIssueComment {
  id: number;
  repository: string;
  issueNumber: number;
  body: string;
  author: { login: string; id: number; type: "User" | "Bot" };
  createdAt: string;
}

export interface GitHubState {
  owner: { login: string; id: number };
  repositories: Record<string, SandboxRepository>;
  pulls: SandboxPull[];
  comments: SandboxIssueComment[];
  /** The GitHub App installed on the owner; verifies App JWTs. */
  app: SandboxAppRegistration;
  /** Every installation token issued, in order (tests inspect and may expire them). */
  installationTokens: IssuedInstallationToken[];
  /** Every request that reached the simulator (method and raw URL), for tests. */
  requests: { method: string; url: string }[];
}

const DOCS = "https://docs.github.com/rest";
/** GitHub's documented ceiling for the PR files endpoint. */
const MAX_PULL_FILES = 3000;

export function seedGitHub(app: SandboxAppRegistration): GitHubState {
  const state: GitHubState = {
    owner: { ...SEED_OWNER },
    repositories: {},
    pulls: [],
    comments: [],
    app,
    installationTokens: [],
    requests: [],
  };
  for (const seed of seedRepositories()) {
    const base = Object.fromEntries(seed.baseFiles.map((f) => [f.path, f.content]));
    const baseSha = sha1(`commit ${seed.name} ${seed.defaultBranch}`);
    const repo: SandboxRepository = {
      name: seed.name,
      id: seed.id,
      description: seed.description,
      defaultBranch: seed.defaultBranch,
      branches: { [seed.defaultBranch]: baseSha },
      trees: { [baseSha]: base },
    };
    state.repositories[seed.name] = repo;
    for (const pull of seed.pulls) state.pulls.push(seedPull(seed, repo, pull, baseSha));
  }
  return state;
}

function seedPull(seed: SeedRepository, repo: SandboxRepository, pull: SeedPullRequest, baseSha: string) {
  const baseTree = repo.trees[baseSha] ?? {};
  const headSha = sha1(
    `commit ${seed.name} ${pull.headRef} ${pull.files.map((f) => gitBlobSha(f.content)).join()}`,
  );
  repo.branches[pull.headRef] = headSha;
  repo.trees[headSha] = { ...baseTree, ...Object.fromEntries(pull.files.map((f) => [f.path, f.content])) };
  const result: SandboxPull = {
    repository: seed.name,
    number: pull.number,
    title: pull.title,
    body: pull.body,
    state: "open",
    draft: false,
    author: pull.author,
    headRef: pull.headRef,
    headSha,
    baseRef: seed.defaultBranch,
    baseSha,
    createdAt: pull.createdAt,
    updatedAt: pull.createdAt,
    files: pull.files.map((file) => pullFile(file, baseTree[file.path])),
  };
  return result;
}

function pullFile(file: SeedFile, before: string | undefined): SandboxPullFile {
  const added = lines(file.content);
  const removed = before === undefined ? [] : lines(before);
  const patch = unifiedPatch(removed, added, before, file.content);
  return {
    sha: gitBlobSha(file.content),
    filename: file.path,
    status: before === undefined ? "added" : "modified",
    additions: added.length,
    deletions: removed.length,
    changes: added.length + removed.length,
    ...(patch === null ? {} : { patch }),
  };
}

function lines(content: string): string[] {
  if (content === "") return [];
  return (content.endsWith("\n") ? content.slice(0, -1) : content).split("\n");
}

/** A whole-file rewrite hunk (GitHub's `patch` field); enough for added files and rewrites. */
function unifiedPatch(removed: string[], added: string[], before: string | undefined, after: string) {
  if (removed.length === 0 && added.length === 0) return null;
  const range = (n: number) => (n === 0 ? "0,0" : `1,${n}`);
  const noEol = "\\ No newline at end of file";
  const out = [`@@ -${range(removed.length)} +${range(added.length)} @@`];
  for (const line of removed) out.push(`-${line}`);
  if (before !== undefined && before !== "" && !before.endsWith("\n")) out.push(noEol);
  for (const line of added) out.push(`+${line}`);
  if (after !== "" && !after.endsWith("\n")) out.push(noEol);
  return out.join("\n");
}

// ---------------------------------------------------------------- routes

type Params = { owner: string; repo: string; number: string; "*": string };

export async function registerGitHub(
  app: FastifyInstance,
  state: GitHubState,
  credentials: SandboxCredentials,
) {
  const principals = new WeakMap<FastifyRequest, GitHubPrincipal>();
  const principalOf = (request: FastifyRequest) => principals.get(request)!;
  const now = () => Date.now();

  app.addHook("onRequest", async (request, reply) => {
    state.requests.push({ method: request.method, url: request.url });
    const result = await authenticate(request.headers.authorization, {
      app: state.app,
      installationTokens: state.installationTokens,
      personalToken: credentials.GITHUB_TOKEN,
      nowMs: now(),
    });
    if (!result.ok) return githubError(reply, 401, result.message);
    principals.set(request, result.principal);
    reply.header("x-github-api-version-selected", "2022-11-28");
    reply.header("x-ratelimit-limit", "5000").header("x-ratelimit-remaining", "4999");
  });
  app.setNotFoundHandler((_request, reply) => githubError(reply));
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) =>
    githubError(reply, error.statusCode ?? 500, error.statusCode === 400 ? error.message : "Server Error"),
  );
  // GitHub accepts a POST without a body (a token request for the whole installation).
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, body === "" ? {} : JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error("Problems parsing JSON"), { statusCode: 400 }), undefined);
    }
  });

  /** Finds the repository and checks the caller may use `permission` on it; answers when not. */
  const authorizedRepo = (
    request: FastifyRequest<{ Params: Pick<Params, "owner" | "repo"> }>,
    reply: FastifyReply,
    permission: string,
    level: Access = "read",
  ): SandboxRepository | null => {
    const repo = findRepo(state, request.params);
    const access = repositoryAccess(principalOf(request), repo, permission, level);
    if (access.allowed) return repo!;
    githubError(reply, access.status, access.message);
    return null;
  };

  const helpers = {
    principalOf,
    findRepo: (owner: string, repo: string) => findRepo(state, { owner, repo }),
    apiBase,
    githubError,
    now,
  };
  registerAppRoutes(app, state, helpers);
  registerCommentRoutes(app, state, helpers);

  app.get<{ Params: Params }>("/repos/:owner/:repo", async (request, reply) => {
    const repo = authorizedRepo(request, reply, "metadata");
    if (!repo) return reply;
    return repoJson(apiBase(request), state, repo);
  });

  app.get<{ Params: Params }>("/repos/:owner/:repo/pulls/:number", async (request, reply) => {
    if (!authorizedRepo(request, reply, "pull_requests")) return reply;
    const pull = findPull(state, request.params);
    if (!pull) return githubError(reply);
    return pullJson(apiBase(request), state, pull);
  });

  app.get<{ Params: Params; Querystring: Record<string, string> }>(
    "/repos/:owner/:repo/pulls/:number/files",
    async (request, reply) => {
      if (!authorizedRepo(request, reply, "pull_requests")) return reply;
      const pull = findPull(state, request.params);
      if (!pull) return githubError(reply);
      return pullFilesPage(request, reply, pull);
    },
  );

  const contents = async (
    request: FastifyRequest<{ Params: Params; Querystring: { ref?: string } }>,
    reply: FastifyReply,
  ) => {
    const repo = authorizedRepo(request, reply, "contents");
    if (!repo) return reply;
    const ref = request.query.ref ?? repo.defaultBranch;
    const sha = repo.branches[ref] ?? (repo.trees[ref] ? ref : undefined);
    if (sha === undefined) return githubError(reply, 404, `No commit found for the ref ${ref}`);
    const body = contentJson(
      apiBase(request),
      state,
      repo,
      repo.trees[sha] ?? {},
      request.params["*"] ?? "",
      ref,
    );
    return body ?? githubError(reply);
  };
  app.get("/repos/:owner/:repo/contents", contents);
  app.get("/repos/:owner/:repo/contents/*", contents);
}

function githubError(reply: FastifyReply, status = 404, message = "Not Found") {
  return reply.code(status).send({ message, documentation_url: DOCS, status: String(status) });
}

function apiBase(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}/github`;
}

function findRepo(state: GitHubState, params: Pick<Params, "owner" | "repo">): SandboxRepository | undefined {
  // GitHub treats owner and repository names case-insensitively.
  if (params.owner.toLowerCase() !== state.owner.login.toLowerCase()) return undefined;
  return Object.values(state.repositories).find((r) => r.name.toLowerCase() === params.repo.toLowerCase());
}

function findPull(state: GitHubState, params: Params): SandboxPull | undefined {
  const repo = findRepo(state, params);
  if (!repo || !/^[1-9][0-9]{0,9}$/.test(params.number)) return undefined;
  return state.pulls.find((p) => p.repository === repo.name && p.number === Number(params.number));
}

function pullFilesPage(
  request: FastifyRequest<{ Params: Params; Querystring: Record<string, string> }>,
  reply: FastifyReply,
  pull: SandboxPull,
) {
  const perPage = clampInt(request.query.per_page, 30, 1, 100);
  const page = clampInt(request.query.page, 1, 1, Number.MAX_SAFE_INTEGER);
  const files = pull.files.slice(0, MAX_PULL_FILES);
  const lastPage = Math.max(1, Math.ceil(files.length / perPage));
  const link = paginationLinks(
    `${apiBase(request)}/repos/${request.params.owner}/${request.params.repo}/pulls/${pull.number}/files`,
    perPage,
    page,
    lastPage,
  );
  if (link !== "") reply.header("link", link);
  return files.slice((page - 1) * perPage, page * perPage).map((f) => ({
    ...f,
    blob_url: `https://github.com/${request.params.owner}/${pull.repository}/blob/${pull.headSha}/${f.filename}`,
    raw_url: `https://github.com/${request.params.owner}/${pull.repository}/raw/${pull.headSha}/${f.filename}`,
    contents_url: `${apiBase(request)}/repos/${request.params.owner}/${pull.repository}/contents/${f.filename}?ref=${pull.headSha}`,
  }));
}

function clampInt(raw: string | undefined, fallback: number, min: number, max: number): number {
  const n = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : fallback;
  return Math.min(Math.max(n, min), max);
}

/** RFC 8288 Link header with GitHub's rel names (prev/next/first/last as applicable). */
function paginationLinks(url: string, perPage: number, page: number, lastPage: number): string {
  const at = (p: number) => `<${url}?per_page=${perPage}&page=${p}>`;
  const parts: string[] = [];
  if (page > 1) parts.push(`${at(Math.min(page - 1, lastPage))}; rel="prev"`);
  if (page < lastPage) parts.push(`${at(page + 1)}; rel="next"`, `${at(lastPage)}; rel="last"`);
  if (page > 1) parts.push(`${at(1)}; rel="first"`);
  return parts.join(", ");
}
