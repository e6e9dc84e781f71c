import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRACE_ID_PATTERN } from "../../src/core/audit/trace-id.js";
import { DEVOPS, startTestBridle, type TestBridle } from "../support/bridle.js";

const REFERENCE_FINDINGS = [
  "S3 bucket does not explicitly enforce public access block.",
  "IAM policy includes wildcard actions. Least privilege review required.",
  "Security group allows inbound access from 0.0.0.0/0 on an administrative port.",
  "CloudWatch log retention is not defined.",
  "Rollback plan is missing from the Jira change ticket.",
];
const REFERENCE_APPROVALS = [
  "Cloud Security approval",
  "Platform owner approval",
  "Change manager approval before production promotion",
];
const REFERENCE_REMEDIATION = [
  "Add S3 public access block.",
  "Replace wildcard IAM actions with explicit actions.",
  "Restrict security group source to approved network ranges.",
  "Define CloudWatch log retention.",
  "Add rollback plan to the Jira change.",
];
const REFERENCE_TOOLS = [
  "jira_read",
  "github_read_pr",
  "confluence_read",
  "aws_dev_read",
  "jira_add_comment",
  "slack_post_message",
];

let t: TestBridle;
beforeAll(async () => {
  t = await startTestBridle();
});
afterAll(async () => t?.close());

const review = (ticket: string, pr: string, headers = DEVOPS) =>
  t.post("/review-change", { ticket, repository: "platform-infra", pull_request: pr }, headers);

function fixtureLine(pr: string, file: string, line: number): string {
  const text = readFileSync(join(process.cwd(), "src/sandbox/seed/terraform", `pr-${pr}`, file), "utf8");
  return text.split("\n")[line - 1] ?? "";
}

describe("POST /review-change — the reference's happy path, with findings derived from the PR", () => {
  it("returns the reference's response for CHG-18422 / platform-infra#991", async () => {
    const { status, body } = await review("CHG-18422", "991");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ticket: "CHG-18422",
      repository: "platform-infra",
      pull_request: "991",
      risk_rating: "High",
      findings: REFERENCE_FINDINGS,
      required_approvals: REFERENCE_APPROVALS,
      recommended_remediation: REFERENCE_REMEDIATION,
      tools_used: REFERENCE_TOOLS,
    });
    expect(body.audit_trace_id).toMatch(TRACE_ID_PATTERN);
  });

  it("points every Terraform finding at a real line of the PR's files", async () => {
    const { body } = await review("CHG-18422", "991");
    const details = body.finding_details as {
      rule_id: string;
      file: string;
      line: number;
      resource: string;
    }[];
    expect(details.map((f) => f.rule_id)).toEqual([
      "S3_PUBLIC_ACCESS_BLOCK_MISSING",
      "IAM_WILDCARD_ACTION",
      "SG_ADMIN_PORT_OPEN_TO_WORLD",
      "LOG_RETENTION_MISSING",
      "ROLLBACK_PLAN_MISSING",
    ]);
    for (const f of details.filter((d) => d.file.endsWith(".tf"))) {
      expect(f.line).toBeGreaterThan(0);
      expect(fixtureLine("991", f.file, f.line).trim()).not.toBe("");
    }
    expect(details.find((f) => f.rule_id === "ROLLBACK_PLAN_MISSING")).toMatchObject({
      file: "jira:CHG-18422",
      resource: "CHG-18422",
    });
  });

  it("posts the review to the ticket in Jira (ADF) and the summary to the review channel in Slack", async () => {
    const { body } = await review("CHG-18422", "991");
    const comments = JSON.stringify(t.sandbox.state.atlassian.comments["CHG-18422"]);
    expect(comments).toContain("Risk rating: High");
    expect(comments).toContain("S3_PUBLIC_ACCESS_BLOCK_MISSING");
    const messages = t.sandbox.state.slack.messages.filter((m: { text: string }) =>
      m.text.includes("CHG-18422"),
    );
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m: { channelName: string }) => m.channelName === "devsecops-change-review")).toBe(
      true,
    );
    expect(body.audit_trace_id).toMatch(TRACE_ID_PATTERN);
  });

  it("a clean change is Low, with no findings and no extra approvals", async () => {
    const { status, body } = await review("CHG-18423", "992");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      risk_rating: "Low",
      findings: [],
      required_approvals: [],
      recommended_remediation: [],
      finding_details: [],
      tools_used: REFERENCE_TOOLS,
    });
  });

  it('catches the same mistakes written in other shapes (rule resource, ::/0, RDP, Action "*")', async () => {
    const { status, body } = await review("CHG-18423", "993");
    expect(status).toBe(200);
    const rules = new Set((body.finding_details as { rule_id: string }[]).map((f) => f.rule_id));
    for (const rule of [
      "S3_PUBLIC_ACCESS_BLOCK_MISSING",
      "IAM_WILDCARD_ACTION",
      "SG_ADMIN_PORT_OPEN_TO_WORLD",
    ]) {
      expect(rules).toContain(rule);
    }
    expect(rules).not.toContain("ROLLBACK_PLAN_MISSING");
    expect(body.risk_rating).toMatch(/High|Critical/);
  });
});

describe("POST /review-change — the audit record", () => {
  it("records the plan decision, each tool call, each validation and the completed review, under one trace", async () => {
    const { body } = await review("CHG-18422", "991");
    const events = await t.trace(body.audit_trace_id);
    const types = events.map((e) => e.event_type);
    expect(types[0]).toBe("policy_decision");
    expect(types.filter((x) => x === "tool_call")).toHaveLength(6);
    expect(types.filter((x) => x === "validation_result")).toHaveLength(2);
    expect(types.at(-1)).toBe("ai_agent_review_completed");
    for (const e of events) {
      expect(e.actor).toMatchObject({ user: "engineer@zyxbank.example", device_compliant: true });
      expect(e.timestamp_utc).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    const plan = events[0];
    expect(plan?.policy).toMatchObject({ version: "2026-05-22" });
    expect(plan?.policy?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(plan?.decisions).toHaveLength(6);
    const completed = events.at(-1);
    expect(completed?.data).toMatchObject({
      ticket: "CHG-18422",
      risk_rating: "high",
      tools_used: REFERENCE_TOOLS,
    });
  });
});

describe("GET /health and /ready", () => {
  it("answers the reference's health body and the loaded policy", async () => {
    expect(await (await fetch(`${t.url}/health`)).json()).toEqual({ status: "ok" });
    const ready = await (await fetch(`${t.url}/ready`)).json();
    expect(ready).toMatchObject({ status: "ready", policy_version: "2026-05-22" });
  });
});
