import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVOPS, startTestBridle, type TestBridle } from "../support/bridle.js";

const SECURITY = {
  "x-user-email": "auditor@zyxbank.example",
  "x-user-groups": "grp-ai-security-readonly",
  "x-device-compliant": "true",
};

let t: TestBridle;
let traceId: string;
beforeAll(async () => {
  t = await startTestBridle();
  const r = await t.post(
    "/review-change",
    { ticket: "CHG-18422", repository: "platform-infra", pull_request: "991" },
    DEVOPS,
  );
  traceId = r.body.audit_trace_id;
});
afterAll(async () => t?.close());

const get = async (path: string, headers: Record<string, string> = SECURITY) => {
  const response = await fetch(`${t.url}${path}`, { headers });
  const body: any = await response.json();
  return { status: response.status, type: response.headers.get("content-type"), body };
};

describe("GET /v1/audit/* — only for audit.reader_groups", () => {
  it("refuses a user outside the reader groups, with problem+json, and records the attempt", async () => {
    const r = await get("/v1/audit/events", DEVOPS);
    expect(r.status).toBe(403);
    expect(r.type).toContain("application/problem+json");
    const reads = (await t.events()).filter((e) => e.event_type === "audit_read");
    expect(reads.at(-1)).toMatchObject({
      actor: { user: "engineer@zyxbank.example" },
      outcome: { status: "denied" },
    });
  });

  it("401 without identity", async () => {
    expect((await get("/v1/audit/verify", {})).status).toBe(401);
  });

  it("lists events with filters and keyset pagination", async () => {
    const page1 = await get(`/v1/audit/events?trace_id=${traceId}&limit=3`);
    expect(page1.status).toBe(200);
    expect(page1.body.events).toHaveLength(3);
    expect(page1.body.events.every((e: { trace_id: string }) => e.trace_id === traceId)).toBe(true);
    const seqs = page1.body.events.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const page2 = await get(
      `/v1/audit/events?trace_id=${traceId}&limit=3&after_seq=${page1.body.next_after_seq}`,
    );
    expect(page2.body.events[0].seq).toBeGreaterThan(seqs.at(-1));
    const completed = await get("/v1/audit/events?event_type=ai_agent_review_completed&since=1h");
    expect(completed.body.events.map((e: { trace_id: string }) => e.trace_id)).toContain(traceId);
  });

  it.each([["limit=0"], ["limit=100000"], ["since=yesterday"], ["event_type=DROP%20TABLE"], ["unknown=1"]])(
    "400 for a bad query: %s",
    async (query) => {
      const r = await get(`/v1/audit/events?${query}`);
      expect(r.status).toBe(400);
      expect(r.type).toContain("application/problem+json");
    },
  );

  it("returns one trace, and 404 for an unknown one", async () => {
    const r = await get(`/v1/audit/traces/${traceId}`);
    expect(r.status).toBe(200);
    expect(r.body.events.at(-1).event_type).toBe("ai_agent_review_completed");
    expect((await get("/v1/audit/traces/ai-20000101-000000000000")).status).toBe(404);
  });

  it("verifies the chain", async () => {
    const r = await get("/v1/audit/verify");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, first_bad_seq: null });
    expect(r.body.count).toBeGreaterThan(10);
  });
});
