import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK } from "jose";

/**
 * A real OpenID provider (panva's `oidc-provider`, a devDependency) on a free loopback port, for
 * identity tests. Tokens come out of the provider's own endpoints through real protocol flows:
 *
 * - `userToken`: authorization-code flow with PKCE (S256) for a public client, driven by plain
 *   HTTP (fetch, a tiny cookie jar, redirects followed by hand): GET /auth → our minimal login
 *   form (login name = the user's email) → our consent form → redirect_uri?code=… → POST /token
 *   with `resource=<audience>`.
 * - `agentToken`: client_credentials grant, client_secret_basic, `resource=<audience>`.
 *
 * Both return JWT access tokens (header `typ: "at+jwt"`, RS256, `kid` of the current signing key).
 *
 * User access token payload (from oidc-provider's JWT format + our `extraTokenClaims`):
 *   { email, groups: string[], device_compliant: boolean,      <- extraTokenClaims (user tokens only)
 *     jti, sub: <email>, iat, exp, scope: "bridle", client_id: "bridle-test-web",
 *     iss: <issuer>, aud: <audience> }
 * Agent access token payload (no extra claims):
 *   { jti, sub: <clientId>, iat, exp, scope: "bridle", client_id: <clientId>, iss: <issuer>, aud: <audience> }
 * (oidc-provider sets `sub` to the account id for user tokens and to the client id for client
 * credentials tokens; `client_id` is always the OAuth client. Extra claims cannot override these.)
 *
 * Key rotation: oidc-provider fixes its keystore when a Provider is constructed, so `rotateKeys`
 * builds a new Provider with the new key set (same issuer, config, cookie keys and shared storage)
 * and swaps it in behind the same node:http server. Consumers keep the same issuer URL and port.
 */
export interface TestIdp {
  /** e.g. http://127.0.0.1:PORT (no trailing slash). */
  issuer: string;
  /** `${issuer}/.well-known/openid-configuration` */
  discoveryUrl: string;
  /** The provider's jwks_uri, as advertised by discovery. */
  jwksUri: string;
  /** The resource indicator (and `aud` of every access token) Bridle accepts. */
  audience: string;
  /** The scope the resource server grants; present as `scope` in every access token. */
  scope: string;
  /** Signs a user in through the authorization-code flow (PKCE) and returns a JWT access token for `audience`. */
  userToken(user: TestUser): Promise<string>;
  /**
   * An agent authenticates as itself (client_credentials, client_secret_basic) and gets a JWT access
   * token for `audience` with `sub` = `client_id` = clientId. A client id not given in
   * `options.agents` is registered on first use with a random secret.
   */
  agentToken(clientId: string): Promise<string>;
  /**
   * Signs new tokens with a NEW RSA key (new kid). The JWKS then serves the new key first, plus the
   * previous keys when `keepOld` is true (default false: only the new key).
   */
  rotateKeys(options?: { keepOld?: boolean }): Promise<void>;
  /** The kid new tokens are signed with. */
  currentKid(): string;
  /** How many times the JWKS endpoint was requested since start. */
  jwksFetches(): number;
  close(): Promise<void>;
}

export interface TestUser {
  email: string;
  groups: string[];
  deviceCompliant: boolean;
}

export interface TestIdpOptions {
  agents?: { clientId: string; clientSecret: string }[];
  /** Lifetime of issued access tokens (default 600). */
  accessTokenTtlSeconds?: number;
  /** Default "https://bridle.test". */
  audience?: string;
}

const DEFAULT_AUDIENCE = "https://bridle.test";
const RESOURCE_SCOPE = "bridle";
const WEB_CLIENT_ID = "bridle-test-web";
const REDIRECT_URI = "http://127.0.0.1/callback";
/** oidc-provider's default `routes.jwks`. */
const JWKS_PATH = "/jwks";

// oidc-provider ships no type declarations; load it through a non-literal specifier so TypeScript
// types it as `any` instead of failing with TS7016, and describe the little we use below.
const OIDC_PROVIDER_MODULE: string = "oidc-provider";

interface ProviderModule {
  Provider: new (issuer: string, configuration: Record<string, unknown>) => Provider;
  errors: { InvalidTarget: new (description?: string) => Error };
}

interface Interaction {
  uid: string;
  prompt: { name: string; details: Record<string, any> };
  params: Record<string, any>;
  session?: { accountId: string };
  grantId?: string;
}

interface Grant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}

interface Provider {
  silent: boolean;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  on(event: string, listener: (...args: any[]) => void): void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: {
    new (init: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  };
}

let modulePromise: Promise<ProviderModule> | undefined;

/**
 * oidc-provider prints "Unsupported runtime. Use Node.js v22.x LTS" once at import time on Node 20.
 * It works on Node 20 (>= 20.12 for crypto.hash); drop just that line while the module loads.
 */
function loadOidcProvider(): Promise<ProviderModule> {
  modulePromise ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === "string" && args[0].includes("oidc-provider WARNING: Unsupported runtime"))
        return;
      warn.apply(console, args);
    };
    try {
      return (await import(OIDC_PROVIDER_MODULE)) as ProviderModule;
    } finally {
      console.warn = warn;
    }
  })();
  return modulePromise;
}

interface SigningKey {
  kid: string;
  jwk: JWK;
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = `test-${randomBytes(6).toString("hex")}`;
  return { kid, jwk: { ...jwk, kid, alg: "RS256", use: "sig" } };
}

/** In-memory oidc-provider adapter whose storage outlives Provider instances (shared across rotations). */
type Storage = Map<string, { value: any; expiresAt: number | undefined }>;

function storageGet(storage: Storage, key: string): any {
  const entry = storage.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
    storage.delete(key);
    return undefined;
  }
  return entry.value;
}

function storageSet(storage: Storage, key: string, value: any, expiresIn?: number): void {
  storage.set(key, {
    value,
    expiresAt: typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : undefined,
  });
}

class MemoryAdapter {
  constructor(
    private readonly model: string,
    private readonly storage: Storage,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: any, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    if (this.model === "Session") storageSet(this.storage, `sessionUid:${payload.uid}`, id, expiresIn);
    if (payload.grantId) {
      const grantKey = `grant:${payload.grantId}`;
      const members: string[] = storageGet(this.storage, grantKey) ?? [];
      members.push(key);
      storageSet(this.storage, grantKey, members);
    }
    if (payload.userCode) storageSet(this.storage, `userCode:${payload.userCode}`, id, expiresIn);
    storageSet(this.storage, key, payload, expiresIn);
  }

  async find(id: string): Promise<any> {
    return storageGet(this.storage, this.key(id));
  }

  async findByUid(uid: string): Promise<any> {
    const id = storageGet(this.storage, `sessionUid:${uid}`);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<any> {
    const id = storageGet(this.storage, `userCode:${userCode}`);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id: string): Promise<void> {
    const payload = storageGet(this.storage, this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.storage.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const grantKey = `grant:${grantId}`;
    for (const key of (storageGet(this.storage, grantKey) ?? []) as string[]) this.storage.delete(key);
    this.storage.delete(grantKey);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function htmlEscape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A minimal cookie jar: one host, names are unique enough across paths for oidc-provider's cookies. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k = "", v = ""] = a.split("=");
        const attr = k.trim().toLowerCase();
        return (attr === "expires" && Date.parse(v) <= Date.now()) || (attr === "max-age" && Number(v) <= 0);
      });
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

function base64url(data: Buffer): string {
  return data.toString("base64url");
}

export async function startTestIdp(options: TestIdpOptions = {}): Promise<TestIdp> {
  const { Provider, errors } = await loadOidcProvider();
  const audience = options.audience ?? DEFAULT_AUDIENCE;
  const accessTokenTtl = options.accessTokenTtlSeconds ?? 600;
  const users = new Map<string, TestUser>();
  const agentSecrets = new Map<string, string>();
  const storage: Storage = new Map();
  const cookieKeys = [base64url(randomBytes(32))];
  const serverErrors: unknown[] = [];
  let keys: SigningKey[] = [await newSigningKey()];
  let provider: Provider | undefined;
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let jwksFetches = 0;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === JWKS_PATH) jwksFetches++;
    if (url.pathname.startsWith("/interaction/")) {
      handleInteraction(req, res, url).catch((error: unknown) => {
        serverErrors.push(error);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`interaction failed: ${String(error)}`);
      });
      return;
    }
    if (!handler) {
      res.writeHead(503).end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  function buildProvider(): Provider {
    const signingKid = keys[0]!.kid;
    const p = new Provider(issuer, {
      adapter: (model: string) => new MemoryAdapter(model, storage),
      jwks: { keys: keys.map((k) => k.jwk) },
      cookies: { keys: cookieKeys },
      clients: [
        {
          client_id: WEB_CLIENT_ID,
          token_endpoint_auth_method: "none",
          grant_types: ["authorization_code"],
          response_types: ["code"],
          redirect_uris: [REDIRECT_URI],
        },
      ],
      scopes: ["openid", "offline_access", RESOURCE_SCOPE],
      claims: { openid: ["sub"], email: ["email", "email_verified"] },
      pkce: { required: () => true },
      interactions: {
        url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
      },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string[]) => oneOf,
          useGrantedResource: async () => true,
          getResourceServerInfo: async (_ctx: unknown, resourceIndicator: string) => {
            if (resourceIndicator !== audience) throw new errors.InvalidTarget();
            return {
              scope: RESOURCE_SCOPE,
              audience,
              accessTokenTTL: accessTokenTtl,
              accessTokenFormat: "jwt",
              jwt: { sign: { alg: "RS256", kid: signingKid } },
            };
          },
        },
      },
      // Called for every issued token; the returned claims are spread into JWT access tokens
      // (before the registered claims, which they cannot override).
      extraTokenClaims: async (_ctx: unknown, token: { accountId?: string }) => {
        const user = token.accountId === undefined ? undefined : users.get(token.accountId);
        if (!user) return undefined;
        return { email: user.email, groups: [...user.groups], device_compliant: user.deviceCompliant };
      },
      findAccount: async (_ctx: unknown, sub: string) => {
        const user = users.get(sub);
        if (!user) return undefined;
        return {
          accountId: sub,
          claims: async () => ({ sub, email: user.email, email_verified: true }),
        };
      },
      // Explicit values everywhere oidc-provider would otherwise log a "you SHOULD change" notice.
      ttl: {
        AccessToken: (_ctx: unknown, token: any) => token.resourceServer?.accessTokenTTL ?? accessTokenTtl,
        ClientCredentials: (_ctx: unknown, token: any) =>
          token.resourceServer?.accessTokenTTL ?? accessTokenTtl,
        AuthorizationCode: 60,
        IdToken: 3600,
        RefreshToken: 3600,
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
      },
      clientBasedCORS: () => true,
      renderError: async (ctx: any, out: Record<string, unknown>) => {
        ctx.type = "json";
        ctx.body = out;
      },
    });
    p.silent = true;
    p.on("server_error", (_ctx: unknown, error: unknown) => serverErrors.push(error));
    p.on("error", (error: unknown) => serverErrors.push(error));
    return p;
  }

  function current(): Provider {
    if (!provider) throw new Error("test IdP is not running");
    return provider;
  }

  function swapProvider(): void {
    provider = buildProvider();
    handler = provider.callback();
  }

  async function handleInteraction(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const p = current();
    const details = await p.interactionDetails(req, res);
    const { uid, prompt, params } = details;
    const action = url.pathname.slice(`/interaction/${uid}`.length);
    if (req.method === "GET" && (action === "" || action === "/")) {
      const fields = prompt.name === "login" ? '<input name="login" autocomplete="username">' : "";
      const html =
        `<!doctype html><title>${htmlEscape(prompt.name)}</title>` +
        `<form method="post" action="/interaction/${htmlEscape(uid)}/${htmlEscape(prompt.name)}" data-prompt="${htmlEscape(prompt.name)}">` +
        `${fields}<button type="submit">Continue</button></form>`;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(html);
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    if (action === "/login" && prompt.name === "login") {
      const login = form.get("login") ?? "";
      if (!users.has(login)) {
        res.writeHead(400, { "content-type": "text/plain" });
        res.end(`unknown user ${login}`);
        return;
      }
      await p.interactionFinished(
        req,
        res,
        { login: { accountId: login } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (action === "/consent" && prompt.name === "consent") {
      const accountId = details.session?.accountId;
      if (!accountId) throw new Error("consent without a session");
      const grant = details.grantId
        ? ((await p.Grant.find(details.grantId)) ?? new p.Grant({ accountId, clientId: params.client_id }))
        : new p.Grant({ accountId, clientId: params.client_id });
      const missing = prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      if (missing.missingResourceScopes) {
        for (const [indicator, scopes] of Object.entries(
          missing.missingResourceScopes as Record<string, string[]>,
        )) {
          grant.addResourceScope(indicator, scopes.join(" "));
        }
      }
      const grantId = await grant.save();
      await p.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    res.writeHead(400, { "content-type": "text/plain" });
    res.end(`unexpected ${action} for prompt ${prompt.name}`);
  }

  swapProvider();

  function failure(what: string, detail: string): Error {
    const last = serverErrors.at(-1);
    return new Error(`test IdP: ${what}: ${detail}${last ? ` (last server error: ${String(last)})` : ""}`);
  }

  async function tokenRequest(body: URLSearchParams, headers: Record<string, string> = {}): Promise<string> {
    const response = await fetch(`${issuer}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body,
    });
    const json = (await response.json()) as {
      access_token?: string;
      error?: string;
      error_description?: string;
    };
    if (!response.ok || typeof json.access_token !== "string") {
      throw failure("token request failed", `${response.status} ${JSON.stringify(json)}`);
    }
    return json.access_token;
  }

  async function userToken(user: TestUser): Promise<string> {
    users.set(user.email, {
      email: user.email,
      groups: [...user.groups],
      deviceCompliant: user.deviceCompliant,
    });
    const verifier = base64url(randomBytes(32));
    const challenge = base64url(createHash("sha256").update(verifier).digest());
    const state = base64url(randomBytes(12));
    const authorize = new URL(`${issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: WEB_CLIENT_ID,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: `openid email ${RESOURCE_SCOPE}`,
      resource: audience,
      state,
      code_challenge: challenge,
      code_challenge_method: "S256",
    })) {
      authorize.searchParams.set(k, v);
    }

    const jar = new CookieJar();
    let next: { url: URL; method: "GET" | "POST"; body?: URLSearchParams } = {
      url: authorize,
      method: "GET",
    };
    let code: string | undefined;
    for (let hop = 0; hop < 20 && code === undefined; hop++) {
      const response = await fetch(next.url, {
        method: next.method,
        redirect: "manual",
        headers: {
          cookie: jar.header(),
          ...(next.body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
        ...(next.body ? { body: next.body } : {}),
      });
      jar.store(response);
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer();
        const target = new URL(location, next.url);
        if (`${target.origin}${target.pathname}` === REDIRECT_URI) {
          const error = target.searchParams.get("error");
          if (error)
            throw failure(
              "authorization failed",
              `${error}: ${target.searchParams.get("error_description")}`,
            );
          if (target.searchParams.get("state") !== state)
            throw failure("authorization failed", "state mismatch");
          if (target.searchParams.get("iss") !== issuer)
            throw failure("authorization failed", "iss mismatch");
          code = target.searchParams.get("code") ?? undefined;
          if (!code) throw failure("authorization failed", `no code in ${location}`);
        } else {
          next = { url: target, method: "GET" };
        }
        continue;
      }
      const text = await response.text();
      const form = /<form method="post" action="([^"]+)" data-prompt="([^"]+)"/.exec(text);
      if (response.status !== 200 || !form) {
        throw failure(
          "authorization flow stuck",
          `${response.status} at ${next.url.pathname}: ${text.slice(0, 300)}`,
        );
      }
      const body = new URLSearchParams();
      if (form[2] === "login") body.set("login", user.email);
      next = { url: new URL(form[1]!, next.url), method: "POST", body };
    }
    if (code === undefined) throw failure("authorization flow", "too many redirects");

    return tokenRequest(
      new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
        client_id: WEB_CLIENT_ID,
        resource: audience,
      }),
    );
  }

  function registerAgent(clientId: string, clientSecret: string): void {
    agentSecrets.set(clientId, clientSecret);
    // oidc-provider looks clients it was not constructed with up in its adapter ("Client" model).
    storageSet(storage, `Client:${clientId}`, {
      client_id: clientId,
      client_secret: clientSecret,
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["client_credentials"],
      response_types: [],
      redirect_uris: [],
      scope: RESOURCE_SCOPE,
    });
  }
  for (const agent of options.agents ?? []) registerAgent(agent.clientId, agent.clientSecret);

  async function agentToken(clientId: string): Promise<string> {
    if (!agentSecrets.has(clientId)) registerAgent(clientId, base64url(randomBytes(24)));
    const secret = agentSecrets.get(clientId)!;
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString(
      "base64",
    );
    return tokenRequest(
      new URLSearchParams({ grant_type: "client_credentials", resource: audience, scope: RESOURCE_SCOPE }),
      { authorization: `Basic ${basic}` },
    );
  }

  const discoveryUrl = `${issuer}/.well-known/openid-configuration`;
  const discovery = (await (await fetch(discoveryUrl)).json()) as { issuer: string; jwks_uri: string };
  if (discovery.issuer !== issuer) throw failure("discovery", `issuer ${discovery.issuer} != ${issuer}`);
  if (discovery.jwks_uri !== `${issuer}${JWKS_PATH}`)
    throw failure("discovery", `jwks_uri ${discovery.jwks_uri}`);

  let closed = false;
  return {
    issuer,
    discoveryUrl,
    jwksUri: discovery.jwks_uri,
    audience,
    scope: RESOURCE_SCOPE,
    userToken,
    agentToken,
    async rotateKeys(rotate = {}) {
      const fresh = await newSigningKey();
      keys = rotate.keepOld ? [fresh, ...keys] : [fresh];
      swapProvider();
    },
    currentKid: () => keys[0]!.kid,
    jwksFetches: () => jwksFetches,
    async close() {
      if (closed) return;
      closed = true;
      provider = undefined;
      handler = undefined;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
