import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { identitiesCommand } from "../../src/cli/commands/identities.js";
import { startTestBridle, type TestBridle } from "../support/bridle.js";
import { type JwksIssuer, startJwksIssuer } from "../support/jwks-issuer.js";
import { startTestIdp, type TestIdp } from "../support/oidc-provider.js";

/**
 * Agents act for users only through delegation (RFC 8693 token exchange): the reviewer agent
 * (a SPIFFE JWT-SVID) gets a delegation from a user signed in at a real OpenID provider, runs
 * the review under it, and delegates onwards to a helper agent (OAuth client credentials at the
 * same provider) — narrowing at every hop, never widening, never outliving the parent.
 */
const REVIEWER = "spiffe://zyx.example/agent/change-reviewer";
const HELPER = "oauth-client:helper-bot";
const ENGINEER = {
  email: "engineer@zyxbank.example",
  groups: ["grp-ai-users", "grp-ai-devops-readonly"],
  deviceCompliant: true,
};
const REVIEW = { ticket: "CHG-18422", repository: "platform-infra", pull_request: "991" };
const REVIEW_SCOPE =
  "tool:jira_read tool:github_read_pr tool:confluence_read tool:aws_dev_read tool:jira_add_comment tool:slack_post_message workflow:change_review account:development";
const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

let idp: TestIdp;
let spire: JwksIssuer;
let t: TestBridle;

beforeAll(async () => {
  idp = await startTestIdp();
  spire = await startJwksIssuer();
  const dir = mkdtempSync(join(tmpdir(), "bridle-policy-"));
  const policy = join(dir, "policy.yaml");
  writeFileSync(
    policy,
    `${readFileSync("policies/tool_policies.yaml", "utf8")}
  helper:
    identity: ${HELPER}
    owner: platform-security@zyxbank.example
    tools: [jira_read]
    workflows: [change_review]
`,
  );
  t = await startTestBridle(`policy: ${policy}
identity:
  mode: oidc
  oidc: { issuer: "${idp.issuer}", audience: "${idp.audience}", jwks_uri: "${idp.jwksUri}" }
  spiffe: { trust_domain: zyx.example, jwks_uri: "${spire.jwksUri}", audience: bridle }
`);
}, 30_000);
afterAll(async () => {
  await t?.close();
  await idp?.close();
  await spire?.close();
});

function svid(sub = REVIEWER, over: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return spire.sign({ sub, aud: "bridle", iat: now, exp: now + 300, ...over });
}

async function exchange(fields: Record<string, string | undefined>) {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, v);
  const response = await fetch(`${t.url}/v1/token/exchange`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  const body: any = await response.json();
  return { status: response.status, body, cache: response.headers.get("cache-control") };
}

async function delegate(
  subjectToken: string,
  actorToken: string,
  scope: string,
  more: Record<string, string> = {},
) {
  return exchange({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: subjectToken,
    subject_token_type: JWT_TYPE,
    actor_token: actorToken,
    actor_token_type: JWT_TYPE,
    scope,
    ...more,
  });
}

describe("token exchange and delegated runs", () => {
  let reviewerToken: string;
  let reviewerDelegationId: string;

  it("issues a delegation token to an agent acting for a signed-in user", async () => {
    const user = await idp.userToken(ENGINEER);
    const res = await delegate(user, await svid(), REVIEW_SCOPE, { purpose: "review CHG-18422" });
    expect(res.status).toBe(200);
    expect(res.cache).toBe("no-store");
    expect(res.body).toMatchObject({
      issued_token_type: JWT_TYPE,
      token_type: "Bearer",
      scope: expect.any(String),
    });
    expect(res.body.expires_in).toBeGreaterThan(0);
    expect(res.body.expires_in).toBeLessThanOrEqual(900);
    const claims = decodeJwt(res.body.access_token);
    expect(claims.sub).toBe(ENGINEER.email);
    expect(claims.act).toEqual({ sub: REVIEWER });
    // The delegation never outlives the user's token it came from.
    expect(claims.exp!).toBeLessThanOrEqual(decodeJwt(user).exp!);
    reviewerToken = res.body.access_token;
    reviewerDelegationId = claims.jti!;
  });

  it("runs the review under the delegation, and every audit event carries the chain", async () => {
    const res = await t.post("/review-change", REVIEW, { authorization: `Bearer ${reviewerToken}` });
    expect(res.status).toBe(200);
    const events = await t.trace(res.body.trace_id);
    expect(events.length).toBeGreaterThan(3);
    for (const event of events) {
      expect(event.actor).toMatchObject({
        user: ENGINEER.email,
        authenticated_by: "delegation",
        agent: REVIEWER,
        delegation_chain: [ENGINEER.email, REVIEWER],
        delegation: { id: reviewerDelegationId, purpose: "review CHG-18422" },
      });
    }
  });

  it("lets the agent delegate onwards, narrower, to a sub-agent", async () => {
    const helper = await idp.agentToken("helper-bot");
    const res = await delegate(reviewerToken, helper, "tool:jira_read workflow:change_review");
    expect(res.status).toBe(200);
    const claims = decodeJwt(res.body.access_token);
    expect(claims.act).toEqual({ sub: HELPER, act: { sub: REVIEWER } });
    expect(claims.purpose).toBe("review CHG-18422");

    // The helper may read Jira, and nothing else its delegator could: the review needs more.
    const review = await t.post("/review-change", REVIEW, {
      authorization: `Bearer ${res.body.access_token}`,
    });
    expect(review.status).toBe(403);
    const denied = review.body.detail.denied.map((d: { tool_name: string }) => d.tool_name);
    expect(denied).toContain("github_read_pr");
    expect(denied).not.toContain("jira_read");
    const events = await t.trace(review.body.detail.trace_id);
    expect(events[0]!.actor?.delegation_chain).toEqual([ENGINEER.email, REVIEWER, HELPER]);
    const exchanges = (await t.events()).filter(
      (e) => e.event_type === "token_exchange" && e.outcome?.status === "ok",
    );
    expect(exchanges.at(-1)!.actor?.delegation_chain).toEqual([ENGINEER.email, REVIEWER, HELPER]);
  });

  it("refuses a sub-delegation that widens the scope, and records the refusal", async () => {
    const res = await delegate(
      reviewerToken,
      await idp.agentToken("helper-bot"),
      "tool:jira_read tool:slack_post_message",
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_scope");
    expect(res.body.error_description).toContain("tool:slack_post_message");
    const refusal = (await t.events()).filter((e) => e.event_type === "token_exchange").at(-1)!;
    expect(refusal.outcome).toMatchObject({ status: "denied", detail: { error: "invalid_scope" } });
    expect(refusal.actor?.delegation_chain).toEqual([ENGINEER.email, REVIEWER]);
    expect(refusal.data).toMatchObject({ agent: HELPER });
  });

  it("refuses a delegation that would outlive its parent", async () => {
    const res = await delegate(reviewerToken, await idp.agentToken("helper-bot"), "tool:jira_read", {
      expires_in: "3600",
    });
    expect(res.status).toBe(400);
    expect(res.body.error_description).toContain("outlive its parent");
  });

  it("refuses a user's token as the actor, an agent token as the subject, and unknown grant types", async () => {
    const user = await idp.userToken(ENGINEER);
    const asActor = await delegate(user, user, "tool:jira_read", { purpose: "x" });
    expect(asActor.status).toBe(401);
    expect(asActor.body.error).toBe("invalid_client");
    const asSubject = await delegate(await idp.agentToken("helper-bot"), await svid(), "tool:jira_read", {
      purpose: "x",
    });
    expect(asSubject.status).toBe(400);
    expect(asSubject.body.error).toBe("invalid_grant");
    const grant = await exchange({ grant_type: "client_credentials" });
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe("unsupported_grant_type");
  });

  it("refuses an SVID from another trust domain or for another audience", async () => {
    const user = await idp.userToken(ENGINEER);
    const foreign = await delegate(
      user,
      await svid("spiffe://evil.example/agent/change-reviewer"),
      "tool:jira_read",
      {
        purpose: "x",
      },
    );
    expect(foreign.status).toBe(401);
    const wrongAud = await delegate(user, await svid(REVIEWER, { aud: "other" }), "tool:jira_read", {
      purpose: "x",
    });
    expect(wrongAud.status).toBe(401);
  });

  it("refuses an agent the policy does not register", async () => {
    const res = await delegate(
      await idp.userToken(ENGINEER),
      await idp.agentToken("stranger"),
      "tool:jira_read",
      {
        purpose: "x",
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("unauthorized_client");
  });

  it("lists agents, delegations and last use in `bridle identities`", async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await identitiesCommand({ config: join(t.dir, "bridle.yaml"), json: true });
    } finally {
      spy.mockRestore();
    }
    const inventory = JSON.parse(out.join(""));
    const reviewer = inventory.find((a: { identity: string }) => a.identity === REVIEWER);
    expect(reviewer).toMatchObject({ name: "change-reviewer", owner: "platform-security@zyxbank.example" });
    expect(reviewer.active_delegations).toBeGreaterThanOrEqual(1);
    expect(reviewer.last_used_at).not.toBeNull();
    const helper = inventory.find((a: { identity: string }) => a.identity === HELPER);
    expect(helper.delegations[0]).toMatchObject({
      subject: ENGINEER.email,
      chain: [REVIEWER, HELPER],
      status: "active",
    });
    expect(JSON.stringify(inventory)).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no token ever
  });

  it("revokes a delegation and everything issued under it", async () => {
    const helperToken = (await delegate(reviewerToken, await idp.agentToken("helper-bot"), "tool:jira_read"))
      .body.access_token;
    const revoked = await t.bridle.identity.store.revoke(
      reviewerDelegationId,
      new Date().toISOString(),
      "test",
    );
    expect(revoked).toContain(reviewerDelegationId);
    expect(revoked).toContain(decodeJwt(helperToken).jti);
    for (const token of [reviewerToken, helperToken]) {
      const res = await t.post("/review-change", REVIEW, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
      expect(res.body.detail).toBe("delegation has been revoked");
    }
  });
});
