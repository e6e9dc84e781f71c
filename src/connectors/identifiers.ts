import { BridleError } from "../core/errors.js";

/**
 * Validators for every identifier that is about to become part of an upstream URL. They run
 * before any request is built, so a crafted value (`CHG-1/../../admin`, `..`, `%2e%2e`) fails
 * here with INVALID_IDENTIFIER and never reaches the wire. Each returns the value it accepted so
 * call sites read as `const key = requireJiraKey(input)`.
 *
 * Messages name the kind of identifier but never echo the rejected value: it is caller input
 * and may be long, binary or hostile, and errors end up in logs and responses.
 */

/** Jira issue key: project key (upper case, up to 10 chars) and a positive issue number. */
const JIRA_KEY = /^[A-Z][A-Z0-9_]{0,9}-[1-9][0-9]{0,8}$/;
/** GitHub repository name as GitHub allows it. */
const REPOSITORY_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
/** GitHub user or organisation login. */
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
/** Characters we accept in a git ref (a subset of what git allows; enough for branches, tags, shas). */
const GIT_REF = /^[A-Za-z0-9._/+-]{1,255}$/;
/** Slack channel name: lower case letters, digits, hyphens and underscores, at most 80 chars. */
const SLACK_CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,79}$/;
/** Slack conversation id (public C…, private G…, direct D…). */
const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{8,20}$/;
/** C0 and C1 control characters and DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

const MAX_PULL_REQUEST_NUMBER = 2 ** 31;
const MAX_CONTENT_PATH_LENGTH = 1024;

function invalid(kind: string, why: string): BridleError {
  return new BridleError("INVALID_IDENTIFIER", `invalid ${kind}: ${why}`, { identifier: kind });
}

function requireString(value: unknown, kind: string): string {
  if (typeof value !== "string") throw invalid(kind, "must be a string");
  return value;
}

export function requireJiraKey(value: unknown): string {
  const key = requireString(value, "Jira issue key");
  if (!JIRA_KEY.test(key)) throw invalid("Jira issue key", "expected a key such as CHG-123");
  return key;
}

export function requireRepositoryName(value: unknown): string {
  const name = requireString(value, "repository name");
  if (!REPOSITORY_NAME.test(name) || name === "." || name === "..") {
    throw invalid("repository name", "letters, digits, '.', '-' and '_' only (1-100 chars)");
  }
  return name;
}

export function requireGitHubOwner(value: unknown): string {
  const owner = requireString(value, "GitHub owner");
  if (!GITHUB_OWNER.test(owner)) throw invalid("GitHub owner", "not a GitHub login");
  return owner;
}

/** Accepts a number or a decimal string (request bodies carry "991"); returns the number. */
export function requirePullRequestNumber(value: unknown): number {
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && /^[1-9][0-9]{0,9}$/.test(value)) n = Number(value);
  else throw invalid("pull request number", "must be a positive integer");
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PULL_REQUEST_NUMBER) {
    throw invalid("pull request number", "must be a positive integer no larger than 2^31");
  }
  return n;
}

/** A path inside a repository: relative, no traversal, no backslashes, no control characters. */
export function requireContentPath(value: unknown): string {
  const path = requireString(value, "content path");
  if (path.length === 0 || path.length > MAX_CONTENT_PATH_LENGTH) {
    throw invalid("content path", `must be 1-${MAX_CONTENT_PATH_LENGTH} characters`);
  }
  if (path.startsWith("/")) throw invalid("content path", "must be relative");
  if (path.includes("\\")) throw invalid("content path", "must not contain a backslash");
  if (CONTROL_CHARS.test(path)) throw invalid("content path", "must not contain control characters");
  // Percent signs would let an encoded "../" survive to a server that decodes twice.
  if (path.includes("%")) throw invalid("content path", "must not contain '%'");
  const segments = path.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    throw invalid("content path", "must not contain empty, '.' or '..' segments");
  }
  return path;
}

/** A branch, tag or commit sha, as used in the contents API's `ref` parameter. */
export function requireGitRef(value: unknown): string {
  const ref = requireString(value, "git ref");
  if (!GIT_REF.test(ref)) throw invalid("git ref", "unsupported characters or length");
  if (ref.startsWith("/") || ref.startsWith("-") || ref.endsWith("/") || ref.endsWith(".lock")) {
    throw invalid("git ref", "not a valid ref name");
  }
  if (ref.includes("..") || ref.includes("//")) throw invalid("git ref", "not a valid ref name");
  return ref;
}

/** A Slack channel given by name (with or without a leading '#') or by conversation id. */
export function requireSlackChannel(value: unknown): string {
  const raw = requireString(value, "Slack channel");
  const channel = raw.startsWith("#") ? raw.slice(1) : raw;
  if (SLACK_CHANNEL_NAME.test(channel) || SLACK_CHANNEL_ID.test(channel)) return channel;
  throw invalid("Slack channel", "expected a channel name (a-z, 0-9, '-', '_') or a channel id");
}
