import type { FastifyInstance, FastifyReply } from "fastify";
import type { AtlassianState, JiraCommentRecord, JiraIssueRecord } from "../atlassian.js";
import type { SandboxCredentials } from "../context.js";
import { BOT_ACCOUNT_ID, ENVIRONMENT_FIELD, type SeedAccount } from "../seed/atlassian.js";
import { accountJson, authorized, botAccount, isRecord, jiraTime, siteBase } from "./site.js";

/** Jira Cloud REST v3: issues (with `fields` filtering) and ADF comments. */

const ISSUE_NOT_FOUND = "Issue does not exist or you do not have permission to see it.";
/** Jira's limit on the text of a comment. */
const MAX_COMMENT_CHARS = 32_767;

type IssueParams = { Params: { issueIdOrKey: string }; Querystring: Record<string, string | undefined> };

export async function registerJira(
  app: FastifyInstance,
  state: AtlassianState,
  credentials: SandboxCredentials,
) {
  app.addHook("onRequest", async (request, reply) => {
    state.requests.push({ service: "jira", method: request.method, url: request.url });
    if (!authorized(request.headers.authorization, credentials)) {
      reply.header("www-authenticate", 'Basic realm="protected-by-api-token"');
      return jiraError(reply, 401, "Client must be authenticated to access this resource.");
    }
  });
  app.setNotFoundHandler((_request, reply) => jiraError(reply, 404, "null for uri"));

  app.get("/rest/api/3/myself", async (request) => accountJson(siteBase(request), botAccount(credentials)));

  app.get<IssueParams>("/rest/api/3/issue/:issueIdOrKey", async (request, reply) => {
    const issue = findIssue(state, request.params.issueIdOrKey);
    if (!issue) return jiraError(reply, 404, ISSUE_NOT_FOUND);
    return issueJson(siteBase(request), issue, request.query.fields);
  });

  app.get<IssueParams>("/rest/api/3/issue/:issueIdOrKey/comment", async (request, reply) => {
    const issue = findIssue(state, request.params.issueIdOrKey);
    if (!issue) return jiraError(reply, 404, ISSUE_NOT_FOUND);
    const all = state.comments[issue.key] ?? [];
    const startAt = Math.max(0, Number.parseInt(request.query.startAt ?? "0", 10) || 0);
    const maxResults = Math.min(
      100,
      Math.max(1, Number.parseInt(request.query.maxResults ?? "50", 10) || 50),
    );
    const base = siteBase(request);
    const comments = all
      .slice(startAt, startAt + maxResults)
      .map((c) => commentJson(base, issue, c, credentials));
    return { startAt, maxResults, total: all.length, comments };
  });

  app.post<IssueParams & { Body: unknown }>(
    "/rest/api/3/issue/:issueIdOrKey/comment",
    async (request, reply) => {
      const issue = findIssue(state, request.params.issueIdOrKey);
      if (!issue) return jiraError(reply, 404, ISSUE_NOT_FOUND);
      const body = isRecord(request.body) ? request.body.body : undefined;
      const problem = commentProblem(body);
      if (problem) return reply.code(400).send({ errorMessages: [], errors: { comment: problem } });
      const comment: JiraCommentRecord = {
        id: String(state.nextCommentId++),
        body,
        authorAccountId: BOT_ACCOUNT_ID,
        created: jiraTime(new Date()),
      };
      const comments = state.comments[issue.key] ?? [];
      comments.push(comment);
      state.comments[issue.key] = comments;
      return reply.code(201).send(commentJson(siteBase(request), issue, comment, credentials));
    },
  );
}

function jiraError(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({ errorMessages: [message], errors: {} });
}

/** Jira accepts a numeric issue id or a key, and keys case-insensitively; anything else is "not found". */
function findIssue(state: AtlassianState, idOrKey: string): JiraIssueRecord | undefined {
  if (/^[1-9][0-9]{0,17}$/.test(idOrKey)) return Object.values(state.issues).find((i) => i.id === idOrKey);
  if (!/^[A-Za-z][A-Za-z0-9_]*-[1-9][0-9]*$/.test(idOrKey)) return undefined;
  return state.issues[idOrKey.toUpperCase()];
}

function issueJson(base: string, issue: JiraIssueRecord, fieldsParam: string | undefined) {
  const wanted = fieldsParam?.split(",").map((f) => f.trim()) ?? ["*all"];
  const all = wanted.includes("*all") || wanted.includes("*navigable");
  const fields = Object.fromEntries(
    Object.entries(issue.fields)
      .filter(([name]) => all || wanted.includes(name))
      .map(([name, value]) => [name, decorateField(base, name, value)]),
  );
  return {
    expand: "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
    id: issue.id,
    self: `${base}/jira/rest/api/3/issue/${issue.id}`,
    key: issue.key,
    fields,
  };
}

/** Adds the `self` links and nested objects Jira puts on standard fields. */
function decorateField(base: string, name: string, value: unknown): unknown {
  if (!isRecord(value)) return value;
  const api = `${base}/jira/rest/api/3`;
  switch (name) {
    case "status":
      return {
        self: `${api}/status/${value.id}`,
        description: "",
        iconUrl: `${base}/jira/images/icons/statuses/generic.png`,
        ...value,
        statusCategory: {
          self: `${api}/statuscategory/4`,
          id: 4,
          key: "indeterminate",
          colorName: "yellow",
          name: "In Progress",
        },
      };
    case "issuetype":
      return {
        self: `${api}/issuetype/${value.id}`,
        description: "A change to production systems.",
        ...value,
      };
    case "project":
      return { self: `${api}/project/${value.id}`, ...value };
    case "priority":
      return { self: `${api}/priority/${value.id}`, ...value };
    case "reporter":
    case "assignee":
      return typeof value.accountId === "string" ? accountJson(base, value as unknown as SeedAccount) : value;
    case ENVIRONMENT_FIELD:
      return { self: `${api}/customFieldOption/${value.id}`, ...value };
    default:
      return value;
  }
}

function commentJson(
  base: string,
  issue: JiraIssueRecord,
  comment: JiraCommentRecord,
  credentials: SandboxCredentials,
) {
  const author = accountJson(base, botAccount(credentials));
  return {
    self: `${base}/jira/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
    id: comment.id,
    author,
    body: comment.body,
    updateAuthor: author,
    created: comment.created,
    updated: comment.created,
    jsdPublic: true,
  };
}

// ---------------------------------------------------------------- ADF validation (comments)

const ADF_NODE_TYPES = new Set([
  "paragraph",
  "heading",
  "bulletList",
  "orderedList",
  "listItem",
  "codeBlock",
  "blockquote",
  "rule",
  "text",
  "hardBreak",
  "mention",
  "emoji",
  "inlineCard",
  "date",
  "status",
  "panel",
  "table",
  "tableRow",
  "tableHeader",
  "tableCell",
  "mediaSingle",
  "mediaGroup",
  "media",
  "expand",
  "nestedExpand",
  "taskList",
  "taskItem",
  "decisionList",
  "decisionItem",
  "blockCard",
  "embedCard",
]);

/** Why Jira would refuse this comment body, or null when it is a valid, non-empty ADF document. */
function commentProblem(body: unknown): string | null {
  if (body === undefined || body === null) return "Comment body can not be empty!";
  if (!isRecord(body) || body.type !== "doc" || body.version !== 1 || !Array.isArray(body.content)) {
    return "Operation value must be an Atlassian Document (see the Atlassian Document Format)";
  }
  const counter = { chars: 0 };
  if (!body.content.every((node) => validAdfNode(node, 1, counter))) {
    return "Operation value must be an Atlassian Document (see the Atlassian Document Format)";
  }
  if (counter.chars === 0) return "Comment body can not be empty!";
  if (counter.chars > MAX_COMMENT_CHARS) {
    return "The entered text is too long. It exceeds the allowed limit of 32,767 characters.";
  }
  return null;
}

function validAdfNode(node: unknown, depth: number, counter: { chars: number }): boolean {
  if (depth > 64 || !isRecord(node) || typeof node.type !== "string" || !ADF_NODE_TYPES.has(node.type))
    return false;
  if (node.type === "text") {
    if (typeof node.text !== "string" || node.text.length === 0) return false;
    counter.chars += node.text.length;
  }
  if (node.type === "heading") {
    const level = isRecord(node.attrs) ? node.attrs.level : undefined;
    if (typeof level !== "number" || level < 1 || level > 6) return false;
  }
  if (node.content === undefined) return true;
  return (
    Array.isArray(node.content) && node.content.every((child) => validAdfNode(child, depth + 1, counter))
  );
}
