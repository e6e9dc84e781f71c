import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ConnectorHttpConfig, ConnectorsConfigSchema } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { terraformFixture } from "../sandbox/seed/github.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { createGitHubClient } from "./github.js";
import type { GitHubClient } from "./types.js";

let sandbox: Sandbox;
const defaults = ConnectorsConfigSchema.parse({});

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.clearFaults();
  sandbox.state.github.requests.length = 0;
});

function github(http: Partial<ConnectorHttpConfig> = {}, token?: string | null): GitHubClient {
  return createGitHubClient(
    { ...defaults.github, api_url: `${sandbox.url}/github` },
    { ...defaults.http, ...http },
    (name) => {
      if (name !== "GITHUB_TOKEN") return undefined;
      return token === null ? undefined : (token ?? sandbox.credentials.GITHUB_TOKEN);
    },
  );
}

async function failure(promise: Promise<unknown>): Promise<BridleError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridleError);
  return error as BridleError;
}

describe("GitHub client: pull requests", () => {
  it("reads the reference pull request", async () => {
    const pull = await github().getPullRequest("platform-infra", 991);
    expect(pull).toMatchObject({
      repository: "platform-infra",
      number: 991,
      state: "open",
      baseRef: "main",
      htmlUrl: "https://github.com/zyx-bank/platform-infra/pull/991",
    });
    expect(pull.title).toContain("S3 bucket");
    expect(pull.headSha).toMatch(/^[0-9a-f]{40}$/);
  });

  it("lists the files of PR 991 as the fixture folder holds them", async () => {
    const fixture = terraformFixture(991);
    expect(fixture.map((f) => f.path)).toContain("terraform/s3.tf");
    const files = await github().listPullRequestFiles("platform-infra", 991);
    expect(files.map((f) => f.filename)).toEqual(fixture.map((f) => f.path));
    for (const [i, file] of files.entries()) {
      const expectedLines = fixture[i]!.content.replace(/\n$/, "").split("\n");
      expect(file.status).toBe("added");
      expect(file.additions).toBe(expectedLines.length);
      expect(file.patch?.split("\n").slice(1)).toEqual(expectedLines.map((line) => `+${line}`));
    }
  });

  it("follows pagination across all 130 files of PR 994", async () => {
    const files = await github().listPullRequestFiles("platform-infra", 994);
    expect(files).toHaveLength(130);
    expect(new Set(files.map((f) => f.filename)).size).toBe(130);
    expect(files[129]?.filename).toBe("terraform/modules/tagging/team-130.tf");
    const pages = sandbox.state.github.requests.filter((r) => r.url.includes("/pulls/994/files"));
    expect(pages.map((r) => new URL(r.url, "http://x").searchParams.get("page") ?? "1")).toEqual(["1", "2"]);
  });

  it("maps a missing pull request to UPSTREAM_NOT_FOUND", async () => {
    expect((await failure(github().getPullRequest("platform-infra", 9999))).code).toBe("UPSTREAM_NOT_FOUND");
    expect((await failure(github().getPullRequest("no-such-repo", 991))).code).toBe("UPSTREAM_NOT_FOUND");
  });

  it("maps a wrong token to UPSTREAM_ERROR without leaking the upstream message", async () => {
    const error = await failure(github({}, "ghs_wrong").getPullRequest("platform-infra", 991));
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.message).not.toContain("Bad credentials");
    expect(error.message).not.toContain("ghs_wrong");
  });

  it("refuses to call without a token", async () => {
    const error = await failure(github({}, null).getPullRequest("platform-infra", 991));
    expect(error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(error.message).toContain("GITHUB_TOKEN");
    expect(sandbox.state.github.requests).toHaveLength(0);
  });
});

describe("GitHub client: pull request comments", () => {
  it("posts a conversation comment with the personal access token", async () => {
    const posted = await github().addPullRequestComment("platform-infra", 992, "Advisory review: risk Low");
    expect(posted.htmlUrl).toBe(
      `https://github.com/zyx-bank/platform-infra/pull/992#issuecomment-${posted.id}`,
    );
    expect(sandbox.state.github.comments.find((c) => c.id === posted.id)).toMatchObject({
      issueNumber: 992,
      body: "Advisory review: risk Low",
      author: { login: "bridle-bot", type: "User" },
    });
    expect(sandbox.state.github.requests).toEqual([
      { method: "POST", url: "/github/repos/zyx-bank/platform-infra/issues/992/comments" },
    ]);
  });

  it("refuses an empty or oversized comment before any request", async () => {
    expect((await failure(github().addPullRequestComment("platform-infra", 992, " \n"))).code).toBe(
      "VALIDATION_FAILED",
    );
    const huge = "x".repeat(65_537);
    expect((await failure(github().addPullRequestComment("platform-infra", 992, huge))).code).toBe(
      "VALIDATION_FAILED",
    );
    expect(sandbox.state.github.requests).toHaveLength(0);
  });

  it("maps a comment on a missing pull request to UPSTREAM_NOT_FOUND", async () => {
    expect((await failure(github().addPullRequestComment("platform-infra", 9999, "hi"))).code).toBe(
      "UPSTREAM_NOT_FOUND",
    );
  });
});

describe("GitHub client: file contents", () => {
  it("decodes base64 content at a ref", async () => {
    const pull = sandbox.state.github.pulls.find((p) => p.number === 994)!;
    const content = await github().getFileContent(
      "platform-infra",
      "terraform/modules/tagging/team-007.tf",
      pull.headSha,
    );
    expect(content).toContain('team        = "team-007"');
    expect(content.endsWith("}\n")).toBe(true);
  });

  it("reads from a branch name and refuses a directory", async () => {
    expect(await github().getFileContent("platform-infra", "README.md", "main")).toContain(
      "# platform-infra",
    );
    expect((await failure(github().getFileContent("platform-infra", "terraform", "main"))).code).toBe(
      "UPSTREAM_NOT_FOUND",
    );
    const error = await failure(
      github().getFileContent("platform-infra", "terraform/modules", "chore/regenerate-tagging-modules"),
    );
    expect(error.code).toBe("UPSTREAM_NOT_FOUND");
    expect(error.message).toContain("directory");
  });

  it("maps a missing file or ref to UPSTREAM_NOT_FOUND", async () => {
    expect((await failure(github().getFileContent("platform-infra", "nope.tf", "main"))).code).toBe(
      "UPSTREAM_NOT_FOUND",
    );
    expect(
      (await failure(github().getFileContent("platform-infra", "README.md", "no-such-branch"))).code,
    ).toBe("UPSTREAM_NOT_FOUND");
  });
});

describe("GitHub client: identifiers never reach the wire", () => {
  const cases: [string, (client: GitHubClient) => Promise<unknown>][] = [
    ["repository '..'", (c) => c.getPullRequest("..", 991)],
    ["repository with a slash", (c) => c.listPullRequestFiles("platform-infra/../other", 991)],
    ["negative PR number", (c) => c.getPullRequest("platform-infra", -1)],
    ["fractional PR number", (c) => c.listPullRequestFiles("platform-infra", 99.1)],
    ["traversal in a content path", (c) => c.getFileContent("platform-infra", "../../etc/passwd", "main")],
    ["absolute content path", (c) => c.getFileContent("platform-infra", "/etc/passwd", "main")],
    ["traversal in a ref", (c) => c.getFileContent("platform-infra", "README.md", "../main")],
  ];
  it.each(cases)("%s is refused before any request", async (_name, run) => {
    expect((await failure(run(github()))).code).toBe("INVALID_IDENTIFIER");
    expect(sandbox.state.github.requests).toHaveLength(0);
  });
});

describe("GitHub client: transport failures", () => {
  it("retries a 503 and then succeeds", async () => {
    sandbox.injectFault({
      pathPrefix: "/github/repos/zyx-bank/platform-infra/pulls/991",
      status: 503,
      times: 1,
    });
    expect((await github({ retries: 1 }).getPullRequest("platform-infra", 991)).number).toBe(991);
  });

  it("maps a persistent 500 to UPSTREAM_ERROR", async () => {
    sandbox.injectFault({ pathPrefix: "/github", status: 500 });
    expect((await failure(github({ retries: 1 }).getPullRequest("platform-infra", 991))).code).toBe(
      "UPSTREAM_ERROR",
    );
  });

  it("times out within bounded time", async () => {
    sandbox.injectFault({ pathPrefix: "/github", delayMs: 2000 });
    const started = performance.now();
    const error = await failure(
      github({ timeout_ms: 300, retries: 0 }).getPullRequest("platform-infra", 991),
    );
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("refuses an oversized page of files", async () => {
    const error = await failure(
      github({ max_response_bytes: 4096 }).listPullRequestFiles("platform-infra", 994),
    );
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.message).toContain("exceeded 4096 bytes");
  });
});
