import { Octokit } from "@octokit/rest";
import { z } from "zod";
import type { ConnectorHttpConfig, GitHubConfig } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { guardedFetch, requireCredential, statusError, upstreamOptions } from "./http.js";
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
 * so GitHub calls get the same per-attempt timeout, bounded retries of GETs and response-size cap
 * as every other connector (Octokit 22 has no timeout option of its own). The token is read per
 * request through a hook, so a rotated token is picked up without rebuilding the client.
 */

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

const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

export function createGitHubClient(
  cfg: GitHubConfig,
  http: ConnectorHttpConfig,
  credential: (envName: string) => string | undefined,
): GitHubClient {
  const options = upstreamOptions("GitHub", http);
  const octokit = new Octokit({
    baseUrl: cfg.api_url.replace(/\/+$/, ""),
    userAgent: "bridle",
    // Octokit logs request failures, whose text can include upstream bodies; we report them ourselves.
    log: SILENT,
    request: { fetch: guardedFetch(options) },
  });
  octokit.hook.before("request", (request) => {
    request.headers.authorization = `Bearer ${requireCredential("GitHub", credential, cfg.token_env)}`;
  });
  const target = (repository: string) => ({
    owner: requireGitHubOwner(cfg.owner),
    repo: requireRepositoryName(repository),
  });

  return {
    async getPullRequest(repository, number) {
      const params = { ...target(repository), pull_number: requirePullRequestNumber(number) };
      const { data } = await call(() => octokit.rest.pulls.get(params));
      const pull = parse(PullResponse, data);
      return toPullRequest(params.repo, pull);
    },

    async listPullRequestFiles(repository, number) {
      const params = { ...target(repository), pull_number: requirePullRequestNumber(number), per_page: 100 };
      let seen = 0;
      const files = await call(() =>
        octokit.paginate(octokit.rest.pulls.listFiles, params, (response, done) => {
          seen += response.data.length;
          if (seen >= MAX_PULL_FILES) done();
          return response.data;
        }),
      );
      return files.slice(0, MAX_PULL_FILES).map((file) => toFile(parse(FileResponse, file)));
    },

    async getFileContent(repository, path, ref) {
      const params = { ...target(repository), path: requireContentPath(path), ref: requireGitRef(ref) };
      const { data } = await call(() => octokit.rest.repos.getContent(params));
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
  };
}

/** Runs an Octokit call and turns whatever it throws into a BridleError. */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toBridleError(error);
  }
}

function toBridleError(error: unknown): BridleError {
  if (error instanceof BridleError) return error;
  if (error instanceof Error) {
    // Errors from our guarded fetch (timeout, oversize) arrive wrapped by Octokit.
    if (error.cause instanceof BridleError) return error.cause;
    const status = (error as Error & { status?: unknown }).status;
    if (typeof status === "number" && status >= 300) return statusError("GitHub", status);
  }
  return new BridleError("UPSTREAM_ERROR", "GitHub request failed", { service: "GitHub" });
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
