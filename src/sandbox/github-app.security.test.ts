import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "./server.js";

/**
 * The simulator's GitHub App flow on the wire: App JWTs are verified for real, installation
 * tokens are scoped to the repositories and permissions they were minted with, and expire.
 */

let sandbox: Sandbox;
let appKey: KeyObject;
const OWNER = "/github/repos/zyx-bank";
const INFRA = `${OWNER}/platform-infra`;
const PAYMENTS = `${OWNER}/payments-gateway`;

beforeAll(async () => {
  sandbox = await startSandbox();
  appKey = createPrivateKey(sandbox.githubApp.privateKeyPem);
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.state.github.app.tokenTtlMs = 60 * 60 * 1000;
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

interface JwtOptions {
  key?: KeyObject;
  iss?: string | number;
  iat?: number;
  exp?: number;
}

function appJwt(options: JwtOptions = {}): Promise<string> {
  const iat = options.iat ?? nowSeconds() - 30;
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(String(options.iss ?? sandbox.githubApp.appId))
    .setIssuedAt(iat)
    .setExpirationTime(options.exp ?? iat + 600)
    .sign(options.key ?? appKey);
}

function call(method: string, path: string, credential: string | null, body?: unknown) {
  const headers: Record<string, string> = { accept: "application/vnd.github+json" };
  if (credential !== null) headers.authorization = `Bearer ${credential}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

const tokensPath = () => `/github/app/installations/${sandbox.githubApp.installationId}/access_tokens`;

interface TokenAnswer {
  token: string;
  expires_at: string;
  permissions: Record<string, string>;
  repository_selection: string;
  repositories?: { name: string; full_name: string }[];
}

async function mint(body?: unknown): Promise<TokenAnswer> {
  const response = await call("POST", tokensPath(), await appJwt(), body);
  expect(response.status).toBe(201);
  return (await response.json()) as TokenAnswer;
}

async function status(response: Promise<Response>): Promise<{ status: number; message: string }> {
  const answer = await response;
  const json = (await answer.json()) as { message: string };
  return { status: answer.status, message: json.message };
}

describe("GitHub simulator: the App JWT", () => {
  it("finds the installation of a repository with a valid App JWT", async () => {
    const response = await call("GET", `${INFRA}/installation`, await appJwt());
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: sandbox.githubApp.installationId,
      app_id: sandbox.githubApp.appId,
      target_type: "Organization",
      account: { login: "zyx-bank" },
      repository_selection: "all",
      access_tokens_url: expect.stringContaining(tokensPath()),
    });
    expect((await call("GET", `${OWNER}/no-such-repo/installation`, await appJwt())).status).toBe(404);
  });

  it("accepts the client id as issuer", async () => {
    const jwt = await appJwt({ iss: sandbox.state.github.app.clientId });
    expect((await call("GET", `${INFRA}/installation`, jwt)).status).toBe(200);
  });

  it("refuses a JWT signed by another key", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(await status(call("GET", `${INFRA}/installation`, await appJwt({ key: privateKey })))).toEqual({
      status: 401,
      message: "A JSON web token could not be decoded",
    });
  });

  it("refuses a JWT signed with HMAC, whatever the secret", async () => {
    const hs256 = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(String(sandbox.githubApp.appId))
      .setIssuedAt(nowSeconds() - 30)
      .setExpirationTime(nowSeconds() + 300)
      .sign(new TextEncoder().encode(sandbox.githubApp.privateKeyPem));
    expect((await status(call("GET", `${INFRA}/installation`, hs256))).status).toBe(401);
  });

  it("refuses an expired JWT, tolerating 60 seconds of clock drift", async () => {
    const expired = await appJwt({ iat: nowSeconds() - 700, exp: nowSeconds() - 100 });
    const refused = await status(call("GET", `${INFRA}/installation`, expired));
    expect(refused.status).toBe(401);
    expect(refused.message).toContain("'Expiration time' claim ('exp')");
    const withinDrift = await appJwt({ iat: nowSeconds() - 600, exp: nowSeconds() - 20 });
    expect((await call("GET", `${INFRA}/installation`, withinDrift)).status).toBe(200);
  });

  it("refuses a JWT that lives longer than ten minutes or is issued in the future", async () => {
    const iat = nowSeconds() - 30;
    const tooLong = await status(call("GET", `${INFRA}/installation`, await appJwt({ iat, exp: iat + 601 })));
    expect(tooLong).toEqual({
      status: 401,
      message: "'Expiration time' claim ('exp') is too far in the future",
    });
    const future = await appJwt({ iat: nowSeconds() + 300, exp: nowSeconds() + 600 });
    expect((await status(call("GET", `${INFRA}/installation`, future))).status).toBe(401);
  });

  it("refuses a JWT naming another app", async () => {
    const other = await status(call("GET", `${INFRA}/installation`, await appJwt({ iss: 424242 })));
    expect(other).toEqual({ status: 401, message: "Integration not found" });
  });

  it("accepts only the App JWT on the App endpoints", async () => {
    const { token } = await mint({ repositories: ["platform-infra"], permissions: { contents: "read" } });
    for (const credential of [token, sandbox.credentials.GITHUB_TOKEN]) {
      expect((await call("POST", tokensPath(), credential, {})).status).toBe(401);
      expect((await call("GET", `${INFRA}/installation`, credential)).status).toBe(401);
    }
    // And the App JWT alone reads no repository.
    expect((await call("GET", `${INFRA}/pulls/991`, await appJwt())).status).toBe(403);
  });
});

describe("GitHub simulator: minting installation tokens", () => {
  it("answers GitHub's 201 shape, narrowed to the repository and permissions asked for", async () => {
    const before = Date.now();
    const answer = await mint({
      repositories: ["platform-infra"],
      permissions: { pull_requests: "read", contents: "read" },
    });
    expect(answer.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    expect(answer.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const lifetime = Date.parse(answer.expires_at) - before;
    expect(lifetime).toBeGreaterThan(59 * 60 * 1000);
    expect(lifetime).toBeLessThanOrEqual(60 * 60 * 1000);
    expect(answer.permissions).toEqual({ metadata: "read", pull_requests: "read", contents: "read" });
    expect(answer.repository_selection).toBe("selected");
    expect(answer.repositories?.map((r) => r.full_name)).toEqual(["zyx-bank/platform-infra"]);
    const record = sandbox.state.github.installationTokens.at(-1)!;
    expect(record).toMatchObject({ token: answer.token, repositories: ["platform-infra"] });
  });

  it("mints a token for the whole installation when nothing narrows it", async () => {
    const response = await call("POST", tokensPath(), await appJwt());
    expect(response.status).toBe(201);
    const answer = (await response.json()) as TokenAnswer;
    expect(answer.repository_selection).toBe("all");
    expect(answer.repositories).toBeUndefined();
    expect(answer.permissions).toEqual(sandbox.state.github.app.installation.permissions);
  });

  it("never widens what the installation was granted", async () => {
    const jwt = await appJwt();
    for (const body of [
      { permissions: { contents: "write" } },
      { permissions: { administration: "read" } },
      { permissions: { pull_requests: "admin" } },
      { repositories: ["no-such-repo"] },
      { repositories: "platform-infra" },
      { repository_ids: [1] },
    ]) {
      expect((await call("POST", tokensPath(), jwt, body)).status, JSON.stringify(body)).toBe(422);
    }
    expect((await call("POST", "/github/app/installations/1/access_tokens", jwt, {})).status).toBe(404);
  });

  it("accepts repository ids as well as names", async () => {
    const id = sandbox.state.github.repositories["payments-gateway"]!.id;
    const answer = await mint({ repository_ids: [id], permissions: { contents: "read" } });
    expect(answer.repositories?.map((r) => r.name)).toEqual(["payments-gateway"]);
  });
});

describe("GitHub simulator: installation tokens are enforced", () => {
  it("keeps a token to the repository it was minted for", async () => {
    const { token } = await mint({
      repositories: ["platform-infra"],
      permissions: { pull_requests: "read", contents: "read" },
    });
    expect((await call("GET", `${INFRA}/pulls/991`, token)).status).toBe(200);
    expect((await call("GET", `${INFRA}/contents/README.md`, token)).status).toBe(200);
    // The other repository exists (the personal token reads it) but is invisible to this token.
    expect((await call("GET", `${PAYMENTS}/pulls/17`, sandbox.credentials.GITHUB_TOKEN)).status).toBe(200);
    expect(await status(call("GET", `${PAYMENTS}/pulls/17`, token))).toEqual({
      status: 404,
      message: "Not Found",
    });
    expect((await call("GET", `${PAYMENTS}/contents/README.md`, token)).status).toBe(404);
  });

  it("refuses a write with a read-only token", async () => {
    const { token } = await mint({
      repositories: ["platform-infra"],
      permissions: { pull_requests: "read", contents: "read" },
    });
    const refused = await status(call("POST", `${INFRA}/issues/991/comments`, token, { body: "LGTM" }));
    expect(refused).toEqual({ status: 403, message: "Resource not accessible by integration" });
    expect(sandbox.state.github.comments.filter((c) => c.body === "LGTM")).toEqual([]);
  });

  it("lets a write token comment, as the app's bot, and nothing more", async () => {
    const { token } = await mint({
      repositories: ["platform-infra"],
      permissions: { pull_requests: "write" },
    });
    const posted = await call("POST", `${INFRA}/issues/991/comments`, token, { body: "Advisory review" });
    expect(posted.status).toBe(201);
    expect(await posted.json()).toMatchObject({
      body: "Advisory review",
      user: { login: "bridle-sandbox[bot]", type: "Bot" },
      html_url: expect.stringMatching(/\/pull\/991#issuecomment-\d+$/),
    });
    expect((await call("GET", `${INFRA}/contents/README.md`, token)).status).toBe(403);
    expect((await call("POST", `${PAYMENTS}/issues/17/comments`, token, { body: "x" })).status).toBe(404);
  });

  it("answers 401 Bad credentials for an expired or unknown token", async () => {
    const { token } = await mint({
      repositories: ["platform-infra"],
      permissions: { pull_requests: "read" },
    });
    expect((await call("GET", `${INFRA}/pulls/991`, token)).status).toBe(200);
    const record = sandbox.state.github.installationTokens.find((t) => t.token === token)!;
    record.expiresAt = Date.now() - 1000;
    expect(await status(call("GET", `${INFRA}/pulls/991`, token))).toEqual({
      status: 401,
      message: "Bad credentials",
    });
    expect((await call("GET", `${INFRA}/pulls/991`, `ghs_${"x".repeat(36)}`)).status).toBe(401);
  });

  it("issues tokens that live as long as the app says", async () => {
    sandbox.state.github.app.tokenTtlMs = 2 * 60 * 1000;
    const answer = await mint({ repositories: ["platform-infra"], permissions: { contents: "read" } });
    expect(Date.parse(answer.expires_at) - Date.now()).toBeLessThanOrEqual(2 * 60 * 1000);
  });
});
