import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CqlPage, CqlSyntaxError, parseCql } from "./atlassian/cql.js";
import { type Sandbox, startSandbox } from "./server.js";

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

function basic(email = sandbox.credentials.JIRA_EMAIL, token = sandbox.credentials.JIRA_API_TOKEN) {
  return `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`;
}

function call(path: string, init: { method?: string; body?: unknown; authorization?: string | null } = {}) {
  const headers: Record<string, string> = {};
  const authorization = init.authorization === undefined ? basic() : init.authorization;
  if (authorization !== null) headers.authorization = authorization;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${sandbox.url}${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

async function json<T>(response: Response | Promise<Response>): Promise<T> {
  return (await (await response).json()) as T;
}

interface SearchBody {
  results: { id: string; body?: { storage: { value: string } } }[];
  limit: number;
  _links: { base: string; next?: string };
}

const ISSUE = "/jira/rest/api/3/issue";
const doc = (text: string) => ({
  type: "doc",
  version: 1,
  content: [{ type: "paragraph", content: [{ type: "text", text }] }],
});

describe("Jira simulator: authentication", () => {
  it("requires the site's email and API token", async () => {
    for (const authorization of [
      null,
      basic(undefined, "wrong"),
      basic("someone@else.example"),
      `Bearer ${sandbox.credentials.JIRA_API_TOKEN}`,
    ]) {
      const response = await call(`${ISSUE}/CHG-18422`, { authorization });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Basic");
      expect(await response.json()).toEqual({
        errorMessages: ["Client must be authenticated to access this resource."],
        errors: {},
      });
    }
  });

  it("identifies the bot account", async () => {
    const me = await (await call("/jira/rest/api/3/myself")).json();
    expect(me).toMatchObject({
      emailAddress: sandbox.credentials.JIRA_EMAIL,
      accountType: "atlassian",
      active: true,
    });
  });
});

describe("Jira simulator: issues", () => {
  it("serves the reference ticket in the REST v3 shape", async () => {
    const issue = await json<{ fields: { description: unknown } }>(call(`${ISSUE}/CHG-18422`));
    expect(issue).toMatchObject({
      id: "10422",
      key: "CHG-18422",
      self: `${sandbox.url}/jira/rest/api/3/issue/10422`,
      fields: {
        summary: "Add S3 bucket, IAM policy, security group rule, and CloudWatch log group",
        status: { name: "In Review", statusCategory: { key: "indeterminate" } },
        issuetype: { name: "Change", subtask: false },
        project: { key: "CHG" },
        labels: ["terraform", "audit-export"],
        customfield_10050: null,
        customfield_10051: { value: "development", id: "10100" },
        reporter: { displayName: "Priya Raman", accountType: "atlassian" },
      },
    });
    expect(issue.fields.description).toMatchObject({ type: "doc", version: 1 });
  });

  it("finds issues by numeric id and by key case-insensitively", async () => {
    expect((await json<{ key: string }>(call(`${ISSUE}/10425`))).key).toBe("CHG-18425");
    expect((await json<{ key: string }>(call(`${ISSUE}/chg-18425`))).key).toBe("CHG-18425");
  });

  it("honours the fields parameter", async () => {
    const issue = await json<{ fields: { customfield_10051: { value: string } } }>(
      call(`${ISSUE}/CHG-18425?fields=summary,customfield_10051`),
    );
    expect(Object.keys(issue.fields).sort()).toEqual(["customfield_10051", "summary"]);
    expect(issue.fields.customfield_10051.value).toBe("production");
  });

  it("answers Jira's 404 for missing and malformed keys", async () => {
    for (const key of ["CHG-99999", "CHG-0", "CHG", "CHG-1abc", "%20", "CHG-18422;drop"]) {
      const response = await call(`${ISSUE}/${key}`);
      expect(response.status, key).toBe(404);
      expect(await response.json()).toEqual({
        errorMessages: ["Issue does not exist or you do not have permission to see it."],
        errors: {},
      });
    }
  });
});

describe("Jira simulator: comments", () => {
  it("stores an ADF comment and answers 201 with Jira's comment shape", async () => {
    const response = await call(`${ISSUE}/CHG-18423/comment`, {
      method: "POST",
      body: { body: doc("Looks good.") },
    });
    expect(response.status).toBe(201);
    const comment = await json<{ id: string; created: string }>(response);
    expect(comment).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      self: expect.stringContaining(`/jira/rest/api/3/issue/10423/comment/`),
      author: { emailAddress: sandbox.credentials.JIRA_EMAIL },
      body: doc("Looks good."),
    });
    expect(comment.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(sandbox.state.atlassian.comments["CHG-18423"]?.at(-1)).toMatchObject({
      id: comment.id,
      body: doc("Looks good."),
    });

    const listed = await json<{ comments: { id: string }[] }>(call(`${ISSUE}/CHG-18423/comment`));
    expect(listed).toMatchObject({
      startAt: 0,
      total: sandbox.state.atlassian.comments["CHG-18423"]!.length,
    });
    expect(listed.comments.at(-1)?.id).toBe(comment.id);
  });

  it.each([
    ["a plain string body", { body: "text" }, "Operation value must be an Atlassian Document"],
    ["a missing body", {}, "Comment body can not be empty!"],
    [
      "an empty document",
      { body: { type: "doc", version: 1, content: [] } },
      "Comment body can not be empty!",
    ],
    [
      "an empty text node",
      {
        body: {
          type: "doc",
          version: 1,
          content: [{ type: "paragraph", content: [{ type: "text", text: "" }] }],
        },
      },
      "Atlassian Document",
    ],
    [
      "an unknown node type",
      { body: { type: "doc", version: 1, content: [{ type: "script", text: "x" }] } },
      "Atlassian Document",
    ],
    [
      "a heading without a level",
      {
        body: {
          type: "doc",
          version: 1,
          content: [{ type: "heading", content: [{ type: "text", text: "x" }] }],
        },
      },
      "Atlassian Document",
    ],
    ["too much text", { body: doc("x".repeat(32_768)) }, "32,767"],
  ])("refuses %s with 400", async (_name, body, message) => {
    const before = sandbox.state.atlassian.comments["CHG-18425"]?.length ?? 0;
    const response = await call(`${ISSUE}/CHG-18425/comment`, { method: "POST", body });
    expect(response.status).toBe(400);
    expect((await json<{ errors: { comment: string } }>(response)).errors.comment).toContain(message);
    expect(sandbox.state.atlassian.comments["CHG-18425"]?.length ?? 0).toBe(before);
  });

  it("answers 404 for a comment on a missing issue", async () => {
    const response = await call(`${ISSUE}/CHG-99999/comment`, { method: "POST", body: { body: doc("x") } });
    expect(response.status).toBe(404);
  });
});

describe("Confluence simulator: content search", () => {
  const search = (params: Record<string, string>) =>
    call(`/confluence/wiki/rest/api/content/search?${new URLSearchParams(params)}`);

  it("returns pages with storage bodies and Confluence's envelope", async () => {
    const body = await json<SearchBody>(
      search({ cql: 'label = "security-standard"', expand: "body.storage", limit: "2" }),
    );
    expect(body).toMatchObject({ start: 0, limit: 2, size: 2, totalSize: 5 });
    expect(body.results[0]).toMatchObject({
      id: "983041",
      type: "page",
      status: "current",
      title: "S3 buckets must block public access unless explicitly approved",
      body: { storage: { representation: "storage" } },
      _links: {
        webui: "/spaces/SEC/pages/983041/S3+buckets+must+block+public+access+unless+explicitly+approved",
      },
    });
    expect(body.results[0]?.body?.storage.value).toContain("<h2>Standard</h2>");
    expect(body._links.next).toBe(
      `/rest/api/content/search?${new URLSearchParams({ cql: 'label = "security-standard"', limit: "2", start: "2", expand: "body.storage" })}`,
    );
    expect(body._links.base).toBe(`${sandbox.url}/confluence/wiki`);
  });

  it("omits the body unless expanded and has no next link on the last page", async () => {
    const body = await json<SearchBody>(
      search({ cql: 'label = "security-standard"', start: "3", limit: "10" }),
    );
    expect(body.results.map((r) => r.id)).toEqual(["983044", "983045"]);
    expect(body.results[0]?.body).toBeUndefined();
    expect(body._links.next).toBeUndefined();
  });

  it("caps the limit at 50 when bodies are expanded", async () => {
    const body = await json<SearchBody>(search({ cql: "type = page", expand: "body.storage", limit: "500" }));
    expect(body.limit).toBe(50);
  });

  it.each([
    'label = = "x"',
    'label = "unterminated',
    "label",
    "(label = x",
    "foo = bar",
    "label ~ x",
    "label = x ORDER title",
    ")",
  ])("refuses malformed CQL %j with 400", async (cql) => {
    const response = await search({ cql });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining("Could not parse cql"),
    });
  });

  it("requires cql and authentication", async () => {
    expect((await call("/confluence/wiki/rest/api/content/search")).status).toBe(400);
    const anonymous = await call("/confluence/wiki/rest/api/content/search?cql=type%3Dpage", {
      authorization: null,
    });
    expect(anonymous.status).toBe(401);
  });

  it("serves a page by id", async () => {
    const page = await (
      await call("/confluence/wiki/rest/api/content/983045?expand=body.storage,space")
    ).json();
    expect(page).toMatchObject({
      title: "Changes require rollback plans before promotion",
      space: { key: "SEC" },
    });
    expect((await call("/confluence/wiki/rest/api/content/1")).status).toBe(404);
  });
});

describe("CQL evaluator", () => {
  const pages: CqlPage[] = [
    {
      id: "1",
      title: "Alpha standard",
      spaceKey: "SEC",
      labels: ["security-standard", "cloud"],
      storage: "<p>kms</p>",
      created: "2026-01-02",
    },
    {
      id: "2",
      title: "Beta runbook",
      spaceKey: "ENG",
      labels: ["runbook"],
      storage: "<p>pager</p>",
      created: "2026-01-01",
    },
    {
      id: "10",
      title: "Gamma standard",
      spaceKey: "ENG",
      labels: ["security-standard"],
      storage: "<p>iam</p>",
      created: "2026-01-03",
    },
  ];
  const ids = (cql: string) =>
    parseCql(cql)
      .sort(pages.filter(parseCql(cql).matches))
      .map((p) => p.id);

  it.each([
    ['label = "security-standard"', ["1", "10"]],
    ["LABEL = 'security-standard' and SPACE = SEC", ["1"]],
    ['label = "security-standard" AND space.key = "ENG"', ["10"]],
    ["label = runbook OR space = SEC", ["1", "2"]],
    ["NOT label = runbook", ["1", "10"]],
    ['label != "security-standard"', ["2"]],
    ["label IN (runbook, cloud)", ["1", "2"]],
    ["label NOT IN (runbook, cloud)", ["10"]],
    ['title ~ "standard" AND (space = ENG OR id = 1)', ["1", "10"]],
    ["text ~ iam", ["10"]],
    ["type = page ORDER BY title DESC", ["10", "2", "1"]],
    ["type = page order by created", ["2", "1", "10"]],
    ['title = "alpha standard"', ["1"]],
  ])("%s", (cql, expected) => {
    expect(ids(cql)).toEqual(expected);
  });

  it("refuses over-long and deeply nested queries", () => {
    expect(() => parseCql(`${"(".repeat(40)}type = page${")".repeat(40)}`)).toThrow(CqlSyntaxError);
    expect(() => parseCql(`title ~ "${"x".repeat(5000)}"`)).toThrow(CqlSyntaxError);
  });
});
