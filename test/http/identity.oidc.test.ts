import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestBridle, type TestBridle } from "../support/bridle.js";
import { type JwksIssuer, startJwksIssuer } from "../support/jwks-issuer.js";
import { startTestIdp, type TestIdp } from "../support/oidc-provider.js";

/**
 * OIDC mode: bearer JWTs verified with jose against the IdP's JWKS. First against a real
 * OpenID provider (oidc-provider on loopback, tokens from its own flows), then with crafted
 * tokens from an issuer whose keys the test holds, for every way a token can be wrong.
 */
const READER = {
  email: "auditor@zyxbank.example",
  groups: ["grp-ai-security-readonly"],
  deviceCompliant: true,
};
const ENGINEER = {
  email: "engineer@zyxbank.example",
  groups: ["grp-ai-users", "grp-ai-devops-readonly"],
  deviceCompliant: true,
};
const REVIEW = { ticket: "CHG-18422", repository: "platform-infra", pull_request: "991" };

function oidcConfig(issuer: string, audience: string, jwksUri: string): string {
  return `identity:
  mode: oidc
  oidc: { issuer: "${issuer}", audience: "${audience}", jwks_uri: "${jwksUri}", jwks_cooldown_seconds: 1 }
`;
}

async function get(t: TestBridle, path: string, headers: Record<string, string>) {
  const response = await fetch(`${t.url}${path}`, { headers });
  const body: any = await response.json();
  return { status: response.status, body, www: response.headers.get("www-authenticate") };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("OIDC mode against a real OpenID provider", () => {
  let idp: TestIdp;
  let t: TestBridle;
  beforeAll(async () => {
    idp = await startTestIdp();
    t = await startTestBridle(oidcConfig(idp.issuer, idp.audience, idp.jwksUri));
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  it("runs a review for a user signed in through the authorization-code flow", async () => {
    const token = await idp.userToken(ENGINEER);
    const res = await t.post("/review-change", REVIEW, bearer(token));
    expect(res.status).toBe(200);
    const events = await t.trace(res.body.trace_id);
    expect(events[0]!.actor).toMatchObject({
      user: ENGINEER.email,
      groups: ENGINEER.groups,
      device_compliant: true,
      authenticated_by: "oidc",
    });
  });

  it("takes groups from the token only: headers never add identity", async () => {
    const noBearer = await t.post("/review-change", REVIEW, {
      "x-user-email": ENGINEER.email,
      "x-user-groups": ENGINEER.groups.join(","),
      "x-device-compliant": "true",
    });
    expect(noBearer.status).toBe(401);
    expect(noBearer.body.detail).toBe("missing bearer token");

    const intern = await idp.userToken({
      email: "intern@zyxbank.example",
      groups: ["grp-ai-users"],
      deviceCompliant: true,
    });
    const spoofed = await t.post("/review-change", REVIEW, {
      ...bearer(intern),
      "x-user-email": ENGINEER.email,
      "x-user-groups": "grp-ai-devops-readonly",
    });
    expect(spoofed.status).toBe(403);
    const events = await t.trace(spoofed.body.detail.trace_id);
    expect(events[0]!.actor?.user).toBe("intern@zyxbank.example");
    expect(events[0]!.actor?.groups).toEqual(["grp-ai-users"]);
  });

  it("takes device posture from the configured claim", async () => {
    const token = await idp.userToken({
      ...ENGINEER,
      email: "laptop@zyxbank.example",
      deviceCompliant: false,
    });
    const res = await t.post("/review-change", REVIEW, bearer(token));
    expect(res.status).toBe(403);
    expect(res.body.detail.denied[0].reason).toBe("device is not compliant");
  });

  it("refuses an agent's client-credentials token used directly", async () => {
    const res = await t.post("/review-change", REVIEW, bearer(await idp.agentToken("helper-bot")));
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain("delegation token");
  });

  it("picks up a rotated signing key without a restart", async () => {
    const before = await idp.userToken(READER);
    expect((await get(t, "/v1/audit/events?limit=1", bearer(before))).status).toBe(200);
    await idp.rotateKeys();
    const after = await idp.userToken(READER);
    await new Promise((r) => setTimeout(r, 1100)); // the configured 1 s refetch cooldown
    expect((await get(t, "/v1/audit/events?limit=1", bearer(after))).status).toBe(200);
    // The old key is gone from the JWKS: its tokens no longer verify once the set is refreshed.
    const old = await get(t, "/v1/audit/events?limit=1", bearer(before));
    expect(old.status).toBe(401);
  });
});

describe("OIDC mode with crafted tokens", () => {
  const ISSUER = "https://idp.zyxbank.test";
  const AUDIENCE = "bridle-gateway";
  let issuer: JwksIssuer;
  let t: TestBridle;
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (over: Record<string, unknown> = {}) => ({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: "u-1",
    email: READER.email,
    groups: READER.groups,
    device_compliant: true,
    iat: now(),
    exp: now() + 300,
    ...over,
  });
  const events = (token: string) => get(t, "/v1/audit/events?limit=1", bearer(token));

  beforeAll(async () => {
    issuer = await startJwksIssuer();
    t = await startTestBridle(oidcConfig(ISSUER, AUDIENCE, issuer.jwksUri));
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await issuer?.close();
  });

  it("accepts a valid token", async () => {
    const res = await events(await issuer.sign(claims()));
    expect(res.status).toBe(200);
  });

  const refusals: [string, () => Promise<string>, string][] = [
    ["an expired token", () => issuer.sign(claims({ exp: now() - 120 })), "token expired"],
    ["a token not yet valid", () => issuer.sign(claims({ nbf: now() + 120 })), "token not yet valid"],
    [
      "a token for another audience",
      () => issuer.sign(claims({ aud: "someone-else" })),
      "token audience is not this service",
    ],
    [
      "a token from another issuer",
      () => issuer.sign(claims({ iss: "https://evil.test" })),
      "token issuer is not trusted",
    ],
    [
      "a token without exp",
      () => issuer.sign(claims({ exp: undefined })),
      "token claim exp is missing or invalid",
    ],
    [
      "a token signed by a key not in the JWKS",
      async () => issuer.sign(claims(), { key: await issuer.strayKey(), kid: "not-published" }),
      "token signing key is not in the identity provider's key set",
    ],
    [
      "a forged signature under a published kid",
      async () => issuer.sign(claims(), { key: await issuer.strayKey() }),
      "token signature is invalid",
    ],
  ];
  for (const [name, make, reason] of refusals) {
    it(`refuses ${name} with 401 and a reason`, async () => {
      const res = await events(await make());
      expect(res.status).toBe(401);
      expect(res.body.detail).toBe(reason);
      expect(res.www).toContain("Bearer");
      // Nothing from the token comes back.
      expect(JSON.stringify(res.body)).not.toContain(READER.email);
    });
  }

  it("refuses alg none", async () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const unsigned = `${part({ alg: "none", typ: "JWT" })}.${part(claims())}.`;
    const res = await events(unsigned);
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe("token signature algorithm is not allowed");
  });

  it("refuses HS256 keyed with the IdP's public key", async () => {
    const pem = await issuer.publicKeyPem();
    const forged = await new SignJWT(claims())
      .setProtectedHeader({ alg: "HS256", kid: issuer.kid() })
      .sign(new TextEncoder().encode(pem));
    const res = await events(forged);
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe("token signature algorithm is not allowed");
  });

  it("refuses malformed bearer values and garbage", async () => {
    expect((await get(t, "/v1/audit/events", { authorization: "Basic dXNlcjpwdw==" })).status).toBe(401);
    expect((await events("not-a-jwt")).status).toBe(401);
    expect((await events("a.b.c")).body.detail).toBe("malformed token");
  });

  it("refuses a token whose groups claim is not a list", async () => {
    const res = await events(await issuer.sign(claims({ groups: "grp-ai-security-readonly" })));
    expect(res.status).toBe(401);
  });

  it("refetches the JWKS for an unknown kid at most once per cooldown", async () => {
    const before = issuer.fetches();
    const stray = await issuer.strayKey();
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) =>
        events(await issuer.sign(claims(), { key: stray, kid: `made-up-${i}` })),
      ),
    );
    expect(issuer.fetches() - before).toBeLessThanOrEqual(1);
  });

  it("picks up a rotated key after the cooldown, without a restart", async () => {
    await issuer.rotate();
    await new Promise((r) => setTimeout(r, 1100));
    const res = await events(await issuer.sign(claims()));
    expect(res.status).toBe(200);
  });
});
