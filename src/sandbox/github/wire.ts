import { createHash } from "node:crypto";
import type { GitHubState, SandboxIssueComment, SandboxPull, SandboxRepository } from "../github.js";
import { githubTimestamp, type IssuedInstallationToken } from "./app.js";

/**
 * GitHub's JSON shapes (users, repositories, pull requests, contents, issue comments, app
 * installations and their tokens) and git object ids.
 */

export function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** The blob id git itself would compute. */
export function gitBlobSha(content: string): string {
  const bytes = Buffer.from(content, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

export function userJson(base: string, user: { login: string; id: number }, type = "User") {
  return {
    login: user.login,
    id: user.id,
    node_id: Buffer.from(`04:${type}${user.id}`).toString("base64"),
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    url: `${base}/users/${user.login}`,
    html_url: `https://github.com/${user.login}`,
    type,
    site_admin: false,
  };
}

export function repoJson(base: string, state: GitHubState, repo: SandboxRepository) {
  const fullName = `${state.owner.login}/${repo.name}`;
  return {
    id: repo.id,
    node_id: Buffer.from(`010:Repository${repo.id}`).toString("base64"),
    name: repo.name,
    full_name: fullName,
    private: true,
    owner: userJson(base, state.owner, "Organization"),
    html_url: `https://github.com/${fullName}`,
    description: repo.description,
    fork: false,
    url: `${base}/repos/${fullName}`,
    default_branch: repo.defaultBranch,
    visibility: "private",
  };
}

export function pullJson(base: string, state: GitHubState, pull: SandboxPull) {
  const repo = state.repositories[pull.repository]!;
  const fullName = `${state.owner.login}/${repo.name}`;
  const ref = (label: string, sha: string) => ({
    label: `${state.owner.login}:${label}`,
    ref: label,
    sha,
    user: userJson(base, state.owner, "Organization"),
    repo: repoJson(base, state, repo),
  });
  const additions = pull.files.reduce((n, f) => n + f.additions, 0);
  const deletions = pull.files.reduce((n, f) => n + f.deletions, 0);
  return {
    url: `${base}/repos/${fullName}/pulls/${pull.number}`,
    id: repo.id * 10 + pull.number,
    node_id: Buffer.from(`011:PullRequest${pull.number}`).toString("base64"),
    html_url: `https://github.com/${fullName}/pull/${pull.number}`,
    diff_url: `https://github.com/${fullName}/pull/${pull.number}.diff`,
    patch_url: `https://github.com/${fullName}/pull/${pull.number}.patch`,
    issue_url: `${base}/repos/${fullName}/issues/${pull.number}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: userJson(base, pull.author),
    body: pull.body,
    labels: [],
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    draft: pull.draft,
    head: ref(pull.headRef, pull.headSha),
    base: ref(pull.baseRef, pull.baseSha),
    author_association: "MEMBER",
    merged: false,
    mergeable: true,
    comments: 0,
    review_comments: 0,
    commits: 1,
    additions,
    deletions,
    changed_files: pull.files.length,
  };
}

/** A file (base64 content) or a directory listing; null when the path does not exist. */
export function contentJson(
  base: string,
  state: GitHubState,
  repo: SandboxRepository,
  tree: Record<string, string>,
  path: string,
  ref: string,
) {
  const fullName = `${state.owner.login}/${repo.name}`;
  const entry = (type: "file" | "dir", entryPath: string, content?: string) => ({
    type,
    name: entryPath.split("/").pop() ?? entryPath,
    path: entryPath,
    sha: content === undefined ? sha1(`tree ${entryPath}`) : gitBlobSha(content),
    size: content === undefined ? 0 : Buffer.byteLength(content),
    url: `${base}/repos/${fullName}/contents/${entryPath}?ref=${encodeURIComponent(ref)}`,
    html_url: `https://github.com/${fullName}/${type === "file" ? "blob" : "tree"}/${ref}/${entryPath}`,
    download_url:
      type === "file" ? `https://raw.githubusercontent.com/${fullName}/${ref}/${entryPath}` : null,
  });
  const content = tree[path];
  if (content !== undefined) {
    // GitHub wraps the base64 at 60 characters per line.
    const encoded = Buffer.from(content, "utf8").toString("base64").replace(/.{60}/g, "$&\n");
    return { ...entry("file", path, content), content: encoded, encoding: "base64" };
  }
  const prefix = path === "" ? "" : `${path}/`;
  const names = new Map<string, "file" | "dir">();
  for (const filePath of Object.keys(tree)) {
    if (!filePath.startsWith(prefix)) continue;
    const [head, ...rest] = filePath.slice(prefix.length).split("/");
    names.set(head!, rest.length > 0 ? "dir" : "file");
  }
  if (names.size === 0) return null;
  return [...names].sort().map(([name, type]) => entry(type, `${prefix}${name}`, tree[`${prefix}${name}`]));
}

export function issueCommentJson(base: string, state: GitHubState, comment: SandboxIssueComment) {
  const fullName = `${state.owner.login}/${comment.repository}`;
  return {
    id: comment.id,
    node_id: Buffer.from(`012:IssueComment${comment.id}`).toString("base64"),
    url: `${base}/repos/${fullName}/issues/comments/${comment.id}`,
    html_url: `https://github.com/${fullName}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${base}/repos/${fullName}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: userJson(base, comment.author, comment.author.type),
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    author_association: comment.author.type === "Bot" ? "NONE" : "MEMBER",
  };
}

/** GET /repos/{owner}/{repo}/installation: the app's installation on the repository's owner. */
export function installationJson(base: string, state: GitHubState) {
  const { app, owner } = state;
  const { installation } = app;
  return {
    id: installation.id,
    client_id: app.clientId,
    account: userJson(base, owner, "Organization"),
    repository_selection: "all",
    access_tokens_url: `${base}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${base}/installation/repositories`,
    html_url: `https://github.com/organizations/${owner.login}/settings/installations/${installation.id}`,
    app_id: app.appId,
    app_slug: app.slug,
    target_id: owner.id,
    target_type: "Organization",
    permissions: installation.permissions,
    events: [],
    created_at: installation.createdAt,
    updated_at: installation.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

/** The 201 answer of POST /app/installations/{id}/access_tokens. */
export function installationTokenJson(base: string, state: GitHubState, grant: IssuedInstallationToken) {
  const scoped = grant.repositories?.map((name) => state.repositories[name]!);
  return {
    token: grant.token,
    expires_at: githubTimestamp(grant.expiresAt),
    permissions: grant.permissions,
    repository_selection: scoped ? "selected" : "all",
    ...(scoped ? { repositories: scoped.map((repo) => repoJson(base, state, repo)) } : {}),
  };
}
