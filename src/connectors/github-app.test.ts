import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type ConnectorHttpConfig,
  ConnectorsConfigSchema,
  type GitHubAppConfig,
  GitHubConfigSchema,
} from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { createGitHubClient } from "./github.js";
import { githubCredentialMode } from "./github-credentials.js";
import { connectorStartupWarnings, sandboxConnectorsConfig } from "./index.js";
import type { GitHubClient } from "./types.js";

/** The GitHub connector in App mode against the simulator: one scoped, short-lived token per action. */

let sandbox: Sandbox;
let scratch: string;
const defaults = ConnectorsConfigSchema.parse({});
const HOUR = 60 * 60 * 1000;
const READ_PERMISSIONS = { metadata: "read", pull_requests: "read", contents: "read" };

beforeAll(async () => {
  sandbox = await startSandbox();
  scratch = mkdtempSync(join(tmpdir(), "bridle-github-app-test-"));
});
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await sandbox.close();
});
afterEach(() => {
  sandbox.clearFaults();
  sandbox.state.github.requests.length = 0;
  sandbox.state.github.app.tokenTtlMs = HOUR;
});

interface ClientOptions {
  app?: Partial<GitHubAppConfig>;
  http?: Partial<ConnectorHttpConfig>;
  now?: () => number;
}

function appClient(options: ClientOptions = {}): GitHubClient {
  return createGitHubClient(
    {
      ...defaults.github,
      api_url: `${sandbox.url}/github`,
      app: {
        app_id: sandbox.githubApp.appId,
        private_key_file: sandbox.githubApp.privateKeyFile,
        ...options.app,
      },
    },
    { ...defaults.http, ...options.http },
    // App mode needs no environment credential at all.
    () => undefined,
    options.now ? { now: options.now } : {},
  );
}

function issued() {
  return sandbox.state.github.installationTokens;
}

function requestsTo(pathPart: string) {
  return sandbox.state.github.requests.filter((r) => r.url.includes(pathPart));
}

/** GET /repos/{owner}/{repo}/installation, the App's installation lookup. */
function installationLookups() {
  return sandbox.state.github.requests.filter((r) => r.url.endsWith("/installation"));
}

async function failure(promise: Promise<unknown>): Promise<BridleError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridleError);
  return error as BridleError;
}

function bearer(token: string, path: string, init: RequestInit = {}) {
  return fetch(`${sandbox.url}/github/repos/zyx-bank/${path}`, {
    ...init,
    headers: { authorization: `token ${token}`, "content-type": "application/json" },
  });
}

describe("GitHub App mode: the review's reads and its comment", () => {
  it("reads a pull request, its files and a file, then posts a comment as the app", async () => {
    const github = appClient();
    const pull = await github.getPullRequest("platform-infra", 991);
    expect(pull).toMatchObject({ repository: "platform-infra", number: 991, baseRef: "main" });
    const files = await github.listPullRequestFiles("platform-infra", 991);
    expect(files.map((f) => f.filename)).toContain("terraform/s3.tf");
    expect(await github.getFileContent("platform-infra", "terraform/s3.tf", pull.headSha)).toContain(
      "aws_s3_bucket",
    );

    const posted = await github.addPullRequestComment("platform-infra", 991, "Advisory review: risk High");
    expect(posted.htmlUrl).toBe(
      `https://github.com/zyx-bank/platform-infra/pull/991#issuecomment-${posted.id}`,
    );
    const comment = sandbox.state.github.comments.find((c) => c.id === posted.id);
    expect(comment).toMatchObject({
      repository: "platform-infra",
      issueNumber: 991,
      body: "Advisory review: risk High",
      author: { login: "bridle-sandbox[bot]", type: "Bot" },
    });
  });

  it("mints the read token for the one repository, read-only", async () => {
    const before = issued().length;
    await appClient().getPullRequest("platform-infra", 992);
    expect(issued()).toHaveLength(before + 1);
    const grant = issued().at(-1)!;
    expect(grant.repositories).toEqual(["platform-infra"]);
    expect(grant.permissions).toEqual(READ_PERMISSIONS);
    // Used anywhere else, GitHub refuses it: another repository is invisible, a write is forbidden.
    expect((await bearer(grant.token, "payments-gateway/pulls/17")).status).toBe(404);
    const write = await bearer(grant.token, "platform-infra/issues/992/comments", {
      method: "POST",
      body: JSON.stringify({ body: "not allowed" }),
    });
    expect(write.status).toBe(403);
  });

  it("mints the comment token with pull_requests: write and nothing else", async () => {
    const before = issued().length;
    await appClient().addPullRequestComment("platform-infra", 993, "Advisory review");
    expect(issued()).toHaveLength(before + 1);
    const grant = issued().at(-1)!;
    expect(grant.repositories).toEqual(["platform-infra"]);
    expect(grant.permissions).toEqual({ metadata: "read", pull_requests: "write" });
    expect((await bearer(grant.token, "platform-infra/contents/README.md")).status).toBe(403);
  });

  it("scopes each repository's actions to a token of its own", async () => {
    const github = appClient();
    await github.getPullRequest("platform-infra", 991);
    await github.getPullRequest("payments-gateway", 17);
    const [infra, payments] = issued().slice(-2);
    expect(infra!.repositories).toEqual(["platform-infra"]);
    expect(payments!.repositories).toEqual(["payments-gateway"]);
    expect(infra!.token).not.toBe(payments!.token);
  });
});

describe("GitHub App mode: installation and token lifetime", () => {
  it("looks the installation up once, then reuses a live token for the same repository and action", async () => {
    const github = appClient();
    const pull = await github.getPullRequest("platform-infra", 994);
    await github.listPullRequestFiles("platform-infra", 994);
    await github.getFileContent("platform-infra", "README.md", pull.headSha);
    await github.getPullRequest("payments-gateway", 17);
    expect(installationLookups()).toHaveLength(1);
    expect(requestsTo("/access_tokens")).toHaveLength(2);
  });

  it("skips the lookup when the installation id is configured", async () => {
    await appClient({ app: { installation_id: sandbox.githubApp.installationId } }).getPullRequest(
      "platform-infra",
      991,
    );
    expect(installationLookups()).toHaveLength(0);
    expect(requestsTo("/access_tokens")).toHaveLength(1);
  });

  it("mints a new token once the cached one nears its expiry, never using it past expires_at", async () => {
    let now = Date.now();
    const github = appClient({ now: () => now });
    await github.getPullRequest("platform-infra", 991);
    const first = issued().at(-1)!;

    now = first.expiresAt - 6 * 60 * 1000;
    await github.getPullRequest("platform-infra", 991);
    expect(issued().at(-1)).toBe(first);

    now = first.expiresAt - 4 * 60 * 1000;
    await github.getPullRequest("platform-infra", 991);
    const second = issued().at(-1)!;
    expect(second).not.toBe(first);
    expect(second.token).not.toBe(first.token);
    expect(requestsTo("/access_tokens")).toHaveLength(2);
  });

  it("does not cache a token that GitHub issues with little life left", async () => {
    sandbox.state.github.app.tokenTtlMs = 2 * 60 * 1000;
    const github = appClient();
    await github.getPullRequest("platform-infra", 991);
    await github.getPullRequest("platform-infra", 991);
    expect(requestsTo("/access_tokens")).toHaveLength(2);
  });

  it("shares one mint between concurrent actions", async () => {
    const github = appClient();
    await Promise.all(
      ["README.md", "CODEOWNERS", ".github/workflows/terraform-plan.yml"].map((path) =>
        github.getFileContent("platform-infra", path, "main"),
      ),
    );
    expect(requestsTo("/access_tokens")).toHaveLength(1);
  });
});

describe("GitHub App mode: failures", () => {
  it("is refused when the JWT is signed by another key, and reads nothing", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const file = join(scratch, "other-app.pem");
    writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    const error = await failure(
      appClient({ app: { private_key_file: file } }).getPullRequest("platform-infra", 991),
    );
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.message).toBe("GitHub rejected the App's credentials (401)");
    expect(error.detail).toMatchObject({ step: "installation_lookup", status: 401 });
    expect(requestsTo("/pulls/")).toHaveLength(0);
  });

  it("is refused when minting for another app's installation", async () => {
    const error = await failure(
      appClient({ app: { installation_id: 1 } }).getPullRequest("platform-infra", 991),
    );
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.detail).toMatchObject({ step: "installation_token", status: 404 });
  });

  it("maps an unknown repository to UPSTREAM_NOT_FOUND at the installation lookup", async () => {
    const error = await failure(appClient().getPullRequest("no-such-repo", 1));
    expect(error.code).toBe("UPSTREAM_NOT_FOUND");
    expect(error.detail).toMatchObject({ step: "installation_lookup" });
  });

  it("refuses a bad identifier before any JWT or token is made", async () => {
    expect((await failure(appClient().getPullRequest("../admin", 991))).code).toBe("INVALID_IDENTIFIER");
    expect((await failure(appClient().addPullRequestComment("platform-infra", 991, "  "))).code).toBe(
      "VALIDATION_FAILED",
    );
    expect(sandbox.state.github.requests).toHaveLength(0);
  });

  it("never retries the comment after a 5xx", async () => {
    const github = appClient({ http: { retries: 2 } });
    await github.getPullRequest("platform-infra", 991);
    const before = sandbox.state.github.comments.length;
    sandbox.injectFault({
      pathPrefix: "/github/repos/zyx-bank/platform-infra/issues/991/comments",
      status: 503,
      times: 1,
    });
    const error = await failure(github.addPullRequestComment("platform-infra", 991, "once only"));
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(sandbox.state.github.comments).toHaveLength(before);
  });

  it("stops at construction when the key file is missing or not a key", () => {
    const missing = join(scratch, "missing.pem");
    expect(() => appClient({ app: { private_key_file: missing } })).toThrow(
      `connectors.github.app.private_key_file: cannot read ${missing}`,
    );
    const notAKey = join(scratch, "not-a-key.pem");
    writeFileSync(notAKey, "super-secret-but-not-a-pem");
    let thrown: unknown;
    try {
      appClient({ app: { private_key_file: notAKey } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BridleError);
    expect((thrown as BridleError).message).toContain("is not a PEM RSA private key");
    expect((thrown as BridleError).message).not.toContain("super-secret");
  });

  it("never puts a token or a JWT in an error it throws", async () => {
    const github = appClient({ http: { retries: 0, timeout_ms: 300 } });
    const errors: BridleError[] = [];
    const collect = async (promise: Promise<unknown>) => errors.push(await failure(promise));

    await collect(github.getPullRequest("platform-infra", 9999));
    sandbox.injectFault({
      pathPrefix: "/github/repos/zyx-bank/platform-infra/pulls/991",
      status: 500,
      times: 1,
    });
    await collect(github.getPullRequest("platform-infra", 991));
    sandbox.injectFault({
      pathPrefix: "/github/repos/zyx-bank/platform-infra/contents",
      delayMs: 1000,
      times: 1,
    });
    await collect(github.getFileContent("platform-infra", "README.md", "main"));
    // A token GitHub revoked early: our cache still holds it, GitHub answers 401.
    for (const grant of issued()) grant.expiresAt = Date.now() - 1000;
    await collect(github.listPullRequestFiles("platform-infra", 991));
    await collect(appClient({ app: { installation_id: 1 } }).getPullRequest("platform-infra", 991));

    expect(errors.map((e) => e.code)).toEqual([
      "UPSTREAM_NOT_FOUND",
      "UPSTREAM_ERROR",
      "UPSTREAM_TIMEOUT",
      "UPSTREAM_ERROR",
      "UPSTREAM_ERROR",
    ]);
    const tokens = issued().map((t) => t.token);
    expect(tokens.length).toBeGreaterThan(0);
    for (const error of errors) {
      const everything = [error.message, String(error), error.stack ?? "", JSON.stringify(error.detail)].join(
        "\n",
      );
      for (const token of tokens) expect(everything).not.toContain(token);
      expect(everything).not.toMatch(/ghs_|eyJ[A-Za-z0-9_-]{10,}/);
    }
  });
});

describe("GitHub credential mode", () => {
  it("parses the app section strictly", () => {
    const app = { app_id: 1042317, private_key_file: "keys/app.pem", installation_id: 5 };
    expect(GitHubConfigSchema.parse({ app }).app).toEqual(app);
    expect(
      GitHubConfigSchema.parse({ app: { app_id: "Iv23liAbc", private_key_file: "k.pem" } }).app?.app_id,
    ).toBe("Iv23liAbc");
    expect(GitHubConfigSchema.safeParse({ app: { ...app, private_key: "inline" } }).success).toBe(false);
    expect(
      GitHubConfigSchema.safeParse({ app: { app_id: "12; rm", private_key_file: "k.pem" } }).success,
    ).toBe(false);
    expect(GitHubConfigSchema.safeParse({ app: { app_id: 1 } }).success).toBe(false);
  });

  it("is app with an app section and token without", () => {
    expect(githubCredentialMode(defaults.github)).toBe("token");
    expect(githubCredentialMode({ ...defaults.github, app: { app_id: 1, private_key_file: "k.pem" } })).toBe(
      "app",
    );
  });

  it("warns at start only for a live personal access token", () => {
    const live = ConnectorsConfigSchema.parse({ mode: "live" });
    const [warning, ...rest] = connectorStartupWarnings(live);
    expect(rest).toEqual([]);
    expect(warning).toContain("personal access token in GITHUB_TOKEN");
    expect(warning).toContain("connectors.github.app");
    const liveApp = ConnectorsConfigSchema.parse({
      mode: "live",
      github: { app: { app_id: 1, private_key_file: "k.pem" } },
    });
    expect(connectorStartupWarnings(liveApp)).toEqual([]);
    expect(connectorStartupWarnings(defaults)).toEqual([]);
  });

  it("runs the sandbox in App mode with the simulator's app, never with a configured one", () => {
    const configured = ConnectorsConfigSchema.parse({
      github: { app: { app_id: 99, private_key_file: "/etc/bridle/prod-app.pem", installation_id: 7 } },
    });
    const sandboxed = sandboxConnectorsConfig(configured, sandbox.url, sandbox.githubApp);
    expect(sandboxed.github.app).toEqual({
      app_id: sandbox.githubApp.appId,
      private_key_file: sandbox.githubApp.privateKeyFile,
    });
    expect(sandboxConnectorsConfig(configured, sandbox.url).github.app).toBeUndefined();
  });
});
