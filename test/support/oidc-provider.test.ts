import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestIdp, type TestIdp } from "./oidc-provider.js";

async function jwksKids(idp: TestIdp): Promise<string[]> {
  const response = await fetch(idp.jwksUri);
  const { keys } = (await response.json()) as { keys: { kid: string; d?: string }[] };
  for (const key of keys) expect(key.d).toBeUndefined(); // public keys only
  return keys.map((k) => k.kid);
}

describe("test OpenID provider (oidc-provider)", () => {
  let idp: TestIdp;

  beforeAll(async () => {
    idp = await startTestIdp({
      agents: [{ clientId: "agent-deploy", clientSecret: "deploy-secret-0123456789" }],
      accessTokenTtlSeconds: 300,
    });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it("serves a discovery document with its loopback issuer and jwks_uri", async () => {
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(idp.discoveryUrl);
    expect(response.status).toBe(200);
    const discovery = (await response.json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(idp.issuer);
    expect(discovery.jwks_uri).toBe(idp.jwksUri);
    expect(idp.jwksUri).toBe(`${idp.issuer}/jwks`);
    expect(discovery.token_endpoint).toBe(`${idp.issuer}/token`);
    expect(discovery.grant_types_supported).toEqual(
      expect.arrayContaining(["authorization_code", "client_credentials"]),
    );
    expect(discovery.code_challenge_methods_supported).toContain("S256");
    expect(await jwksKids(idp)).toEqual([idp.currentKid()]);
  });

  it("issues a user JWT access token through the authorization-code flow", async () => {
    const token = await idp.userToken({
      email: "alice@example.com",
      groups: ["sre", "oncall"],
      deviceCompliant: true,
    });
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: "RS256", typ: "at+jwt", kid: idp.currentKid() });
    expect(await jwksKids(idp)).toContain(header.kid);

    const jwks = createRemoteJWKSet(new URL(idp.jwksUri));
    const { payload } = await jwtVerify(token, jwks, { issuer: idp.issuer, audience: idp.audience });
    expect(payload).toMatchObject({
      iss: idp.issuer,
      aud: "https://bridle.test",
      sub: "alice@example.com",
      client_id: "bridle-test-web",
      scope: "bridle",
      email: "alice@example.com",
      groups: ["sre", "oncall"],
      device_compliant: true,
    });
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it("keeps users apart and reflects each user's current attributes", async () => {
    const bob = decodeJwt(
      await idp.userToken({ email: "bob@example.com", groups: [], deviceCompliant: false }),
    );
    expect(bob).toMatchObject({ sub: "bob@example.com", groups: [], device_compliant: false });
    const bobAgain = decodeJwt(
      await idp.userToken({ email: "bob@example.com", groups: ["admins"], deviceCompliant: true }),
    );
    expect(bobAgain).toMatchObject({ groups: ["admins"], device_compliant: true });
    expect(bobAgain.jti).not.toBe(bob.jti);

    const concurrent = await Promise.all(
      ["dana", "erin", "frank"].map((name) =>
        idp.userToken({ email: `${name}@example.com`, groups: [name], deviceCompliant: name !== "erin" }),
      ),
    );
    expect(concurrent.map((t) => decodeJwt(t))).toMatchObject([
      { sub: "dana@example.com", groups: ["dana"], device_compliant: true },
      { sub: "erin@example.com", groups: ["erin"], device_compliant: false },
      { sub: "frank@example.com", groups: ["frank"], device_compliant: true },
    ]);
  });

  it("issues agent JWT access tokens by client credentials", async () => {
    const jwks = createRemoteJWKSet(new URL(idp.jwksUri));
    const token = await idp.agentToken("agent-deploy");
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: "at+jwt", kid: idp.currentKid() });
    const { payload } = await jwtVerify(token, jwks, { issuer: idp.issuer, audience: idp.audience });
    expect(payload).toMatchObject({ sub: "agent-deploy", client_id: "agent-deploy", scope: "bridle" });
    expect(payload.email).toBeUndefined();
    expect(payload.groups).toBeUndefined();

    // An agent not given up front is registered on first use.
    const other = await jwtVerify(await idp.agentToken("agent-other"), jwks, {
      issuer: idp.issuer,
      audience: idp.audience,
    });
    expect(other.payload).toMatchObject({ sub: "agent-other", client_id: "agent-other" });
  });

  it("really authenticates agents and only serves the configured audience", async () => {
    const post = (body: Record<string, string>, secret: string) =>
      fetch(`${idp.issuer}/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`agent-deploy:${secret}`).toString("base64")}`,
        },
        body: new URLSearchParams(body),
      });
    const wrongSecret = await post({ grant_type: "client_credentials", resource: idp.audience }, "nope");
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({ error: "invalid_client" });

    const wrongAudience = await post(
      { grant_type: "client_credentials", resource: "https://elsewhere.test" },
      "deploy-secret-0123456789",
    );
    expect(wrongAudience.status).toBe(400);
    expect(await wrongAudience.json()).toMatchObject({ error: "invalid_target" });
  });

  it("counts JWKS fetches; a caching consumer fetches once", async () => {
    const before = idp.jwksFetches();
    const jwks = createRemoteJWKSet(new URL(idp.jwksUri));
    const options = { issuer: idp.issuer, audience: idp.audience };
    await jwtVerify(await idp.agentToken("agent-deploy"), jwks, options);
    await jwtVerify(await idp.agentToken("agent-deploy"), jwks, options);
    expect(idp.jwksFetches()).toBe(before + 1);
    await jwks.reload();
    expect(idp.jwksFetches()).toBe(before + 2);
  });
});

describe("test OpenID provider key rotation", () => {
  let idp: TestIdp;

  beforeAll(async () => {
    idp = await startTestIdp();
  });
  afterAll(async () => {
    await idp?.close();
  });

  it("signs with a new kid after rotateKeys and a live consumer picks up the new JWKS", async () => {
    const { issuer, jwksUri } = idp;
    const options = { issuer: idp.issuer, audience: idp.audience };
    // jose refetches on an unknown kid, but by default not within 30 s of its last fetch.
    const jwks = createRemoteJWKSet(new URL(idp.jwksUri), { cooldownDuration: 0 });
    const user = { email: "carol@example.com", groups: ["dev"], deviceCompliant: true };

    const oldUserToken = await idp.userToken(user);
    const oldKid = decodeProtectedHeader(oldUserToken).kid!;
    await jwtVerify(oldUserToken, jwks, options);
    const fetchesBefore = idp.jwksFetches();

    await idp.rotateKeys();
    expect(idp.issuer).toBe(issuer);
    expect(idp.jwksUri).toBe(jwksUri);
    const newKid = idp.currentKid();
    expect(newKid).not.toBe(oldKid);
    expect(await jwksKids(idp)).toEqual([newKid]);

    const newUserToken = await idp.userToken(user);
    const newAgentToken = await idp.agentToken("agent-after-rotation");
    expect(decodeProtectedHeader(newUserToken).kid).toBe(newKid);
    expect(decodeProtectedHeader(newAgentToken).kid).toBe(newKid);
    const before = idp.jwksFetches();
    const { payload } = await jwtVerify(newUserToken, jwks, options);
    expect(payload).toMatchObject({ sub: "carol@example.com", groups: ["dev"], device_compliant: true });
    await jwtVerify(newAgentToken, jwks, options);
    expect(idp.jwksFetches()).toBe(before + 1); // one refetch for the unknown kid, then cached
    expect(idp.jwksFetches()).toBeGreaterThan(fetchesBefore);

    // Without keepOld the old key is gone: tokens it signed no longer verify.
    await expect(jwtVerify(oldUserToken, jwks, options)).rejects.toThrow();
  });

  it("keeps the previous key in the JWKS with keepOld", async () => {
    const options = { issuer: idp.issuer, audience: idp.audience };
    const oldToken = await idp.agentToken("agent-keep");
    const oldKid = idp.currentKid();

    await idp.rotateKeys({ keepOld: true });
    const newKid = idp.currentKid();
    expect(await jwksKids(idp)).toEqual([newKid, oldKid]);

    const newToken = await idp.agentToken("agent-keep");
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    const jwks = createRemoteJWKSet(new URL(idp.jwksUri));
    await jwtVerify(oldToken, jwks, options);
    await jwtVerify(newToken, jwks, options);
  });

  it("closes: the port stops answering", async () => {
    const other = await startTestIdp();
    await other.close();
    await expect(fetch(other.discoveryUrl)).rejects.toThrow();
    await other.close(); // idempotent
  });
});
