import { Octokit } from "@octokit/rest";
import { z } from "zod";
import type { ConnectorHttpConfig, GitHubConfig } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { createGitHubAppCredentials, readAppPrivateKey } from "./github-app-auth.js";
import { type GitHubAction, type GitHubCredentials, personalTokenCredentials } from "./github-credentials.js";
import { toBridleError } from "./github-errors.js";
import { guardedFetch, upstreamOptions } from "./http.js";
import {
  requireContentPath,
  requireGitHubOwner,
  requireGitRef,
  requirePullRequestNumber,
  requireRepositoryName,
} from "./identifiers.js";
import type { GitHubClient, PullRequest, PullRequestFile } from "./types.js";

/**
 * GitHub REST client on Octokit. Octokit's own fetch is replaced by the guarded one from http.ts,
 * so GitHub calls get the same per-attempt timeout, bounded retries (the comment POST only on a
 * 429, which GitHub answers before acting) and response-size cap as every other connector
 * (Octokit 22 has no timeout option of its own). Each action asks its credentials for an Authorization header naming the repository and
 * what it does there: with a GitHub App that is a token for that repository and those permissions
 * only (see github-app-auth.ts); otherwise the personal access token.
 */

export interface GitHubClientOptions {
  /** Folder a relative `app.private_key_file` resolves against (the config file's). */
  baseDir?: string;
  /** Epoch milliseconds; tests inject it to move past a token's expiry. */
  now?: () => number;
}

/** GitHub itself never lists more than 3,000 files of a pull request. */
const MAX_PULL_FILES = 3000;

const PullResponse = z.object({
  number: z.number(),
  title: z.string(),
  body: z.string().nullable(),
  state: z.string(),
  html_url: z.string(),
  head: z.object({ sha: z.string() }),
  base: z.object({ ref: z.string() }),
});

const FileResponse = z.object({
  filename: z.string(),
  status: z.string(),
  additions: z.number(),
  deletions: z.number(),
  patch: z.string().optional(),
});

const ContentResponse = z.object({
  type: z.literal("file"),
  encoding: z.string(),
  content: z.string(),
});

const CommentResponse = z.object({ id: z.number(), html_url: z.string() });

/** GitHub's limit on a comment body. */
const MAX_COMMENT_CHARS = 65_536;

const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

export function createGitHubClient(
  cfg: GitHubConfig,
  http: ConnectorHttpConfig,
  credential: (envName: string) => string | undefined,
  clientOptions: GitHubClientOptions = {},
): GitHubClient {
  const options = upstreamOptions("GitHub", http);
  const octokit = new Octokit({
    baseUrl: cfg.api_url.replace(/\/+$/, ""),
    userAgent: "bridle",
    // Octokit logs request failures, whose text can include upstream bodies; we report them ourselves.
    log: SILENT,
    request: { fetch: guardedFetch(options) },
  });
  const credentials = githubCredentials(cfg, credential, octokit.request, clientOptions);
  const target = (repository: string) => ({
    owner: requireGitHubOwner(cfg.owner),
    repo: requireRepositoryName(repository),
  });
  /** Identifiers are validated first, so a bad one never causes a token to be minted. */
  const headersFor = async (repo: string, action: GitHubAction) => ({
    authorization: await credentials.authorization(repo, action),
  });

  return {
    async getPullRequest(repository, number) {
      const params = { ...target(repository), pull_number: requirePullRequestNumber(number) };
      const headers = await headersFor(params.repo, "read");
      const { data } = await call(() => octokit.rest.pulls.get({ ...params, headers }));
      const pull = parse(PullResponse, data);
      return toPullRequest(params.repo, pull);
    },

    async listPullRequestFiles(repository, number) {
      const params = { ...target(repository), pull_number: requirePullRequestNumber(number), per_page: 100 };
      const headers = await headersFor(params.repo, "read");
      let seen = 0;
      const files = await call(() =>
        octokit.paginate(octokit.rest.pulls.listFiles, { ...params, headers }, (response, done) => {
          seen += response.data.length;
          if (seen >= MAX_PULL_FILES) done();
          return response.data;
        }),
      );
      return files.slice(0, MAX_PULL_FILES).map((file) => toFile(parse(FileResponse, file)));
    },

    async getFileContent(repository, path, ref) {
      const params = { ...target(repository), path: requireContentPath(path), ref: requireGitRef(ref) };
      const headers = await headersFor(params.repo, "read");
      const { data } = await call(() => octokit.rest.repos.getContent({ ...params, headers }));
      if (Array.isArray(data)) {
        throw new BridleError("UPSTREAM_NOT_FOUND", "GitHub: the path is a directory, not a file", {
          service: "GitHub",
        });
      }
      const file = parse(ContentResponse, data);
      if (file.encoding !== "base64") {
        // GitHub answers encoding "none" for files over 1 MB; those are not reviewable here.
        throw new BridleError("UPSTREAM_ERROR", "GitHub did not return the file content (file too large)", {
          service: "GitHub",
        });
      }
      return Buffer.from(file.content, "base64").toString("utf8");
    },

    async addPullRequestComment(repository, number, body) {
      const params = { ...target(repository), issue_number: requirePullRequestNumber(number) };
      const text = requireCommentBody(body);
      const headers = await headersFor(params.repo, "comment");
      // A POST: the guarded fetch never repeats it after a timeout or 5xx (see http.ts).
      const { data } = await call(() =>
        octokit.rest.issues.createComment({ ...params, body: text, headers }),
      );
      const comment = parse(CommentResponse, data);
      return { id: comment.id, htmlUrl: comment.html_url };
    },
  };
}

function githubCredentials(
  cfg: GitHubConfig,
  credential: (envName: string) => string | undefined,
  request: Octokit["request"],
  options: GitHubClientOptions,
): GitHubCredentials {
  if (!cfg.app) return personalTokenCredentials(cfg, credential);
  return createGitHubAppCredentials({
    app: cfg.app,
    owner: requireGitHubOwner(cfg.owner),
    privateKey: readAppPrivateKey(cfg.app.private_key_file, options.baseDir ?? process.cwd()),
    request,
    now: options.now ?? Date.now,
  });
}

function requireCommentBody(body: string): string {
  if (typeof body !== "string" || body.trim() === "") {
    throw new BridleError("VALIDATION_FAILED", "GitHub comment is empty");
  }
  if (body.length > MAX_COMMENT_CHARS) {
    throw new BridleError("VALIDATION_FAILED", `GitHub comment exceeds ${MAX_COMMENT_CHARS} characters`);
  }
  return body;
}

/** Runs an Octokit call and turns whatever it throws into a BridleError. */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toBridleError(error);
  }
}

function parse<T>(schema: z.ZodType<T>, data: unknown): T {
  const result = schema.safeParse(data);
  if (!result.success) {
    throw new BridleError("UPSTREAM_ERROR", "GitHub returned an unexpected response shape", {
      service: "GitHub",
    });
  }
  return result.data;
}

function toPullRequest(repository: string, pull: z.infer<typeof PullResponse>): PullRequest {
  return {
    repository,
    number: pull.number,
    title: pull.title,
    body: pull.body ?? "",
    state: pull.state,
    headSha: pull.head.sha,
    baseRef: pull.base.ref,
    htmlUrl: pull.html_url,
  };
}

function toFile(file: z.infer<typeof FileResponse>): PullRequestFile {
  return {
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    patch: file.patch ?? null,
  };
}
