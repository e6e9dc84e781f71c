import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEVOPS, startTestBridle, type TestBridle } from "../support/bridle.js";

let t: TestBridle;
beforeAll(async () => {
  t = await startTestBridle(
    "connectors:\n  http: { timeout_ms: 400, retries: 0 }\nserver: { body_limit_bytes: 4096 }\n",
  );
});
afterAll(async () => t?.close());
afterEach(() => t.sandbox.clearFaults());

const body = { ticket: "CHG-18422", repository: "platform-infra", pull_request: "991" };
const commentCount = () =>
  Object.values(t.sandbox.state.atlassian.comments as Record<string, unknown[]>).reduce(
    (n, c) => n + c.length,
    0,
  );

describe("POST /review-change — identity and authorization (the reference's errors)", () => {
  it("401 without an identity", async () => {
    const r = await t.post("/review-change", body, {});
    expect(r).toEqual({ status: 401, body: { detail: "missing user identity" } });
  });

  it("403 with the reference's body for a user outside the groups", async () => {
    const r = await t.post("/review-change", body, {
      "x-user-email": "intern@zyxbank.example",
      "x-user-groups": "grp-ai-users",
      "x-device-compliant": "true",
    });
    expect(r.status).toBe(403);
    expect(r.body.detail.message).toBe("one or more tools were denied");
    expect(r.body.detail.denied[0]).toEqual({
      tool_name: "jira_read",
      allowed: false,
      reason: "user does not belong to an allowed group",
      approval_required: false,
    });
    expect(r.body.detail.trace_id).toMatch(/^ai-\d{8}-[0-9a-f]{12}$/);
    expect((await t.trace(r.body.detail.trace_id)).map((e) => e.event_type)).toEqual(["policy_decision"]);
  });

  it("403 for an unmanaged device", async () => {
    const r = await t.post("/review-change", body, { ...DEVOPS, "x-device-compliant": "false" });
    expect(r.status).toBe(403);
    expect(r.body.detail.denied[0]).toEqual({
      tool_name: "jira_read",
      allowed: false,
      reason: "device is not compliant",
      approval_required: false,
    });
  });
});

describe("POST /review-change — bad input is a clear 4xx and changes nothing", () => {
  it.each([
    ["malformed JSON", "{not json", 400],
    ["an array", "[]", 400],
    ["a missing field", JSON.stringify({ ticket: "CHG-18422", repository: "platform-infra" }), 400],
    ["a wrong type", JSON.stringify({ ...body, ticket: 42 }), 400],
    ["an unknown field", JSON.stringify({ ...body, deploy: true }), 400],
    ["a non-numeric PR", JSON.stringify({ ...body, pull_request: "991; rm -rf /" }), 400],
    ["an oversized field", JSON.stringify({ ...body, repository: "r".repeat(500) }), 400],
    ["a path-traversing ticket", JSON.stringify({ ...body, ticket: "CHG-1/../../admin" }), 400],
    ["a body over the limit", JSON.stringify({ ...body, pad: "x".repeat(10_000) }), 413],
  ])("%s → %s", async (_name, payload, status) => {
    const before = commentCount();
    const r = await t.post("/review-change", payload, DEVOPS);
    expect(r.status).toBe(status);
    expect(typeof r.body.detail).toBe("string");
    expect(r.body.detail.length).toBeGreaterThan(0);
    expect(commentCount()).toBe(before);
  });

  it("415 for a body that is not JSON", async () => {
    const response = await fetch(`${t.url}/review-change`, {
      method: "POST",
      headers: { "content-type": "text/plain", ...DEVOPS },
      body: "ticket=CHG-18422",
    });
    expect(response.status).toBe(415);
  });

  it("404 for a ticket Jira does not have, and nothing is posted", async () => {
    const before = commentCount();
    const r = await t.post("/review-change", { ...body, ticket: "CHG-99999" }, DEVOPS);
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/CHG-99999|not found/i);
    expect(commentCount()).toBe(before);
  });

  it("404 for a pull request GitHub does not have", async () => {
    const r = await t.post("/review-change", { ...body, pull_request: "424242" }, DEVOPS);
    expect(r.status).toBe(404);
  });
});

describe("POST /review-change — upstream failures are 502/504, never a hang or a stack", () => {
  it("504 when Jira does not answer in time", async () => {
    t.sandbox.injectFault({ pathPrefix: "/jira", delayMs: 2_000 });
    const started = Date.now();
    const r = await t.post("/review-change", body, DEVOPS);
    expect(r.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1_900);
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it("502 when GitHub answers 500", async () => {
    t.sandbox.injectFault({ pathPrefix: "/github", status: 500 });
    const r = await t.post("/review-change", body, DEVOPS);
    expect(r.status).toBe(502);
    expect(JSON.stringify(r.body)).not.toMatch(/sandbox fault/);
  });

  it("records the failed review in the audit log", async () => {
    t.sandbox.injectFault({ pathPrefix: "/confluence", status: 503 });
    const before = (await t.events()).length;
    const r = await t.post("/review-change", body, DEVOPS);
    expect(r.status).toBeGreaterThanOrEqual(502);
    const failed = (await t.events()).slice(before).filter((e) => e.event_type === "ai_agent_review_failed");
    expect(failed).toHaveLength(1);
  });
});

describe("other routes answer problem+json", () => {
  it("404 for an unknown route", async () => {
    const response = await fetch(`${t.url}/nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(await response.json()).toMatchObject({ status: 404, title: "Not Found", code: "NOT_FOUND" });
  });
});
