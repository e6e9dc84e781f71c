import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVOPS, startTestBridle, type TestBridle } from "../support/bridle.js";
import { type PostgresCluster, startPostgres } from "../support/postgres.js";

/**
 * Two Bridle replicas on one PostgreSQL database: any replica takes a decision, exactly one
 * executes, and a kill switch set on one is obeyed by the other within a second.
 */
const cluster = await startPostgres();
if ("skip" in cluster) console.warn(`SKIPPING PostgreSQL replica tests: ${cluster.skip}`);

const approver = (i: number) => ({
  "x-user-email": `approver${i}@zyxbank.example`,
  "x-user-groups": "grp-ai-prod-approvers",
  "x-device-compliant": "true",
});
const ADMIN = {
  "x-user-email": "secops@zyxbank.example",
  "x-user-groups": "grp-ai-security-admins",
  "x-device-compliant": "true",
};

function policy(): string {
  const file = join(mkdtempSync(join(tmpdir(), "bridle-replicas-")), "policy.yaml");
  let text = readFileSync("policies/tool_policies.yaml", "utf8");
  text = text.replace(
    / {2}jira_add_comment:\n( {4}.*\n)+? {4}approval_required: false\n/,
    "  jira_add_comment:\n    allowed_groups: [grp-ai-devops-readonly]\n    write: true\n    approval_required: true\n    approval_groups: [grp-ai-prod-approvers]\n",
  );
  writeFileSync(file, text);
  return file;
}

describe.skipIf("skip" in cluster)("gated actions on PostgreSQL with two replicas", () => {
  let a: TestBridle;
  let b: TestBridle;
  beforeAll(async () => {
    const url = await (cluster as PostgresCluster).createDatabase();
    const config = `policy: ${policy()}\n`;
    a = await startTestBridle(config, { storeUrl: url });
    b = await startTestBridle(config, { storeUrl: url });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (!("skip" in cluster)) await cluster.stop();
  });

  const comments = () =>
    [a, b].reduce((n, t) => n + (t.sandbox.state.atlassian.comments["CHG-18422"]?.length ?? 0), 0);

  it("50 concurrent approvals spread over both replicas execute the request exactly once", async () => {
    const before = comments();
    const asked = await a.call("POST", "/v1/tools/jira_add_comment/invoke", DEVOPS, {
      args: { ticket: "CHG-18422", body: "replicas" },
      justification: "replica race",
    });
    expect(asked.status).toBe(202);
    const id = asked.body.approval_id;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? a : b).call("POST", `/v1/approvals/${id}/decision`, approver(i), {
          decision: "approve",
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    expect(comments()).toBe(before + 1);
    const seen = await b.call("GET", `/v1/approvals/${id}`, approver(0));
    expect(seen.body.status).toBe("executed");
    const executed = (await a.trace(asked.body.trace_id)).filter((e) => e.event_type === "approval_executed");
    expect(executed).toHaveLength(1);
  });

  it("a kill switch set on one replica is obeyed by the other within a second", async () => {
    const set = await a.call("PUT", "/v1/killswitch", ADMIN, {
      read_only_mode: true,
      reason: "incident",
    });
    expect(set.status).toBe(200);
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const refused = await b.call("POST", "/v1/tools/slack_post_message/invoke", DEVOPS, {
        args: { channel: "devsecops-change-review", text: "should not post" },
      });
      expect(refused.status).toBe(403);
      expect(refused.body.detail.reasons).toContain("agent is in read-only mode");
    } finally {
      await a.call("PUT", "/v1/killswitch", ADMIN, { read_only_mode: false, reason: "over" });
    }
  });
});
