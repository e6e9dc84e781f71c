import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitBlobSha } from "./github/wire.js";
import { generatedTaggingModules } from "./seed/github.js";
import { type Sandbox, startSandbox } from "./server.js";

let sandbox: Sandbox;
const REPO = "/github/repos/zyx-bank/platform-infra";

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

function get(path: string, authorization: string | null = `Bearer ${sandbox.credentials.GITHUB_TOKEN}`) {
  return fetch(`${sandbox.url}${path}`, { headers: authorization === null ? {} : { authorization } });
}

async function json<T>(response: Response | Promise<Response>): Promise<T> {
  return (await (await response).json()) as T;
}

describe("GitHub simulator: authentication", () => {
  it("accepts Bearer and token schemes", async () => {
    expect((await get(`${REPO}/pulls/991`)).status).toBe(200);
    expect((await get(`${REPO}/pulls/991`, `token ${sandbox.credentials.GITHUB_TOKEN}`)).status).toBe(200);
  });

  it("answers 401 as GitHub does", async () => {
    const missing = await get(`${REPO}/pulls/991`, null);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ message: "Requires authentication" });
    const wrong = await get(`${REPO}/pulls/991`, "Bearer ghs_not_the_token");
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      message: "Bad credentials",
      documentation_url: "https://docs.github.com/rest",
      status: "401",
    });
  });
});

describe("GitHub simulator: pull requests", () => {
  it("serves a pull request with GitHub's fields", async () => {
    const pull = await json<{ head: { sha: string } }>(get(`${REPO}/pulls/994`));
    expect(pull).toMatchObject({
      number: 994,
      state: "open",
      draft: false,
      merged: false,
      changed_files: 130,
      additions: 130 * 7,
      deletions: 0,
      html_url: "https://github.com/zyx-bank/platform-infra/pull/994",
      url: `${sandbox.url}/github/repos/zyx-bank/platform-infra/pulls/994`,
      user: { login: "marcus-cloudops", type: "User" },
      base: { ref: "main", repo: { full_name: "zyx-bank/platform-infra", private: true } },
      head: { ref: "chore/regenerate-tagging-modules" },
    });
    expect(pull.head.sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it("answers 404 for unknown pulls, repositories and owners", async () => {
    for (const path of [
      `${REPO}/pulls/9999`,
      `${REPO}/pulls/abc`,
      "/github/repos/zyx-bank/nope/pulls/991",
      "/github/repos/other/platform-infra/pulls/991",
      "/github/nope",
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ message: "Not Found" });
    }
  });

  it("reflects changes to the state", async () => {
    const pull = sandbox.state.github.pulls.find((p) => p.number === 992)!;
    const saved = pull.title;
    pull.title = "Changed by a test";
    try {
      expect((await json<{ title: string }>(get(`${REPO}/pulls/992`))).title).toBe("Changed by a test");
    } finally {
      pull.title = saved;
    }
  });
});

describe("GitHub simulator: pull request files", () => {
  it("paginates with per_page/page and a Link header", async () => {
    const first = await get(`${REPO}/pulls/994/files?per_page=50`);
    const link = first.headers.get("link") ?? "";
    expect(link).toContain(`${REPO}/pulls/994/files?per_page=50&page=2>; rel="next"`);
    expect(link).toContain(`${REPO}/pulls/994/files?per_page=50&page=3>; rel="last"`);
    expect(link).not.toContain('rel="prev"');
    expect(await first.json()).toHaveLength(50);

    const last = await get(`${REPO}/pulls/994/files?per_page=50&page=3`);
    expect(last.headers.get("link")).toContain('rel="prev"');
    expect(last.headers.get("link")).not.toContain('rel="next"');
    expect(await last.json()).toHaveLength(30);
  });

  it("defaults to 30 per page and caps per_page at 100", async () => {
    expect(await (await get(`${REPO}/pulls/994/files`)).json()).toHaveLength(30);
    expect(await (await get(`${REPO}/pulls/994/files?per_page=500`)).json()).toHaveLength(100);
    expect(await (await get(`${REPO}/pulls/994/files?page=99`)).json()).toEqual([]);
  });

  it("describes each file with sha, status, counts and an all-+ patch", async () => {
    const [file] = await json<{ patch: string }[]>(get(`${REPO}/pulls/994/files?per_page=1`));
    const seed = generatedTaggingModules(1)[0]!;
    expect(file).toMatchObject({
      sha: gitBlobSha(seed.content),
      filename: seed.path,
      status: "added",
      additions: 7,
      deletions: 0,
      changes: 7,
    });
    const lines = seed.content.replace(/\n$/, "").split("\n");
    expect(file?.patch).toBe(["@@ -0,0 +1,7 @@", ...lines.map((l) => `+${l}`)].join("\n"));
  });

  it("serves the Terraform fixture of every seeded change that has one", () => {
    for (const pull of sandbox.state.github.pulls) {
      for (const file of pull.files) {
        expect(file.patch?.startsWith("@@ -0,0 +1,")).toBe(true);
        expect(file.filename).not.toMatch(/^\/|\.\.|\\/);
      }
    }
  });
});

describe("GitHub simulator: contents", () => {
  it("computes git's blob sha", () => {
    // `printf 'hello\n' | git hash-object --stdin`
    expect(gitBlobSha("hello\n")).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
  });

  it("serves base64 content wrapped at 60 columns, at a branch or a sha", async () => {
    const body = await json<{ content: string; sha: string }>(get(`${REPO}/contents/README.md?ref=main`));
    expect(body).toMatchObject({ type: "file", encoding: "base64", name: "README.md", path: "README.md" });
    expect(body.content.split("\n").every((line) => line.length <= 60)).toBe(true);
    const text = Buffer.from(body.content, "base64").toString("utf8");
    expect(text).toContain("# platform-infra");
    expect(body.sha).toBe(gitBlobSha(text));

    const pull = sandbox.state.github.pulls.find((p) => p.number === 994)!;
    const atSha = await get(`${REPO}/contents/terraform/modules/tagging/team-002.tf?ref=${pull.headSha}`);
    expect(atSha.status).toBe(200);
    const encoded = await get(
      `${REPO}/contents/terraform%2Fmodules%2Ftagging%2Fteam-002.tf?ref=${pull.headRef}`,
    );
    expect((await json<{ path: string }>(encoded)).path).toBe("terraform/modules/tagging/team-002.tf");
  });

  it("lists directories and answers 404 for missing paths and refs", async () => {
    const root = await json<{ name: string; type: string }[]>(get(`${REPO}/contents`));
    expect(root.map((e) => `${e.type}:${e.name}`)).toEqual([
      "dir:.github",
      "file:CODEOWNERS",
      "file:README.md",
    ]);
    expect((await get(`${REPO}/contents/terraform/s3.tf?ref=main`)).status).toBe(404);
    const badRef = await get(`${REPO}/contents/README.md?ref=no-such-branch`);
    expect(badRef.status).toBe(404);
    expect((await json<{ message: string }>(badRef)).message).toBe(
      "No commit found for the ref no-such-branch",
    );
  });

  it("records every request for tests", async () => {
    sandbox.state.github.requests.length = 0;
    await get(`${REPO}/pulls/991`, null);
    expect(sandbox.state.github.requests).toEqual([
      { method: "GET", url: "/github/repos/zyx-bank/platform-infra/pulls/991" },
    ]);
  });
});
