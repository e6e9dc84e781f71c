import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { GitHubState, SandboxIssueComment, SandboxRepository } from "../github.js";
import { type GitHubPrincipal, repositoryAccess } from "./access.js";
import { githubTimestamp } from "./app.js";
import { issueCommentJson } from "./wire.js";

/**
 * POST /repos/{owner}/{repo}/issues/{number}/comments — a conversation comment on a pull request
 * (pull requests are issues). GitHub lets a token post one with either `issues: write` or, on a
 * pull request, `pull_requests: write`.
 */

export interface CommentRouteHelpers {
  principalOf(request: FastifyRequest): GitHubPrincipal;
  findRepo(owner: string, repo: string): SandboxRepository | undefined;
  apiBase(request: FastifyRequest): string;
  githubError(reply: FastifyReply, status?: number, message?: string): FastifyReply;
  now(): number;
}

/** GitHub's limit on a comment body. */
const MAX_BODY_CHARS = 65_536;
const FIRST_COMMENT_ID = 2_914_300_001;
const PERSONAL_TOKEN_USER = { login: "bridle-bot", id: 163_870_112, type: "User" } as const;

type Params = { owner: string; repo: string; number: string };

export function registerCommentRoutes(
  app: FastifyInstance,
  state: GitHubState,
  helpers: CommentRouteHelpers,
) {
  app.post<{ Params: Params; Body: { body?: unknown } | undefined }>(
    "/repos/:owner/:repo/issues/:number/comments",
    async (request, reply) => {
      const principal = helpers.principalOf(request);
      const repo = helpers.findRepo(request.params.owner, request.params.repo);
      const access = repositoryAccess(principal, repo, ["issues", "pull_requests"], "write");
      if (!access.allowed) return helpers.githubError(reply, access.status, access.message);
      const number = Number(request.params.number);
      const pull = state.pulls.find((p) => p.repository === repo!.name && p.number === number);
      if (!/^[1-9][0-9]{0,9}$/.test(request.params.number) || !pull) return helpers.githubError(reply);
      const text = request.body?.body;
      if (typeof text !== "string" || text.trim() === "") {
        return helpers.githubError(reply, 422, 'Invalid request.\n\n"body" wasn\'t supplied.');
      }
      if (text.length > MAX_BODY_CHARS) {
        return helpers.githubError(
          reply,
          422,
          "Validation Failed: body is too long (maximum is 65536 characters)",
        );
      }
      const comment: SandboxIssueComment = {
        id: FIRST_COMMENT_ID + state.comments.length,
        repository: repo!.name,
        issueNumber: number,
        body: text,
        author: authorOf(principal, state),
        createdAt: githubTimestamp(helpers.now()),
      };
      state.comments.push(comment);
      return reply.code(201).send(issueCommentJson(helpers.apiBase(request), state, comment));
    },
  );
}

/** Comments made with an installation token appear as the app's bot user, as on GitHub. */
function authorOf(principal: GitHubPrincipal, state: GitHubState): SandboxIssueComment["author"] {
  if (principal.kind !== "installation") return { ...PERSONAL_TOKEN_USER };
  return { login: `${state.app.slug}[bot]`, id: state.app.appId + 100_000_000, type: "Bot" };
}
