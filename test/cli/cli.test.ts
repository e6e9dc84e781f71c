import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { cliWorkspace, root } from "../support/cli.js";

const workspace = cliWorkspace(5);
const work = workspace.dir;
const bridle = workspace.run;

describe("bridle policy check", () => {
  it("exits 0 for the reference policy and prints its version and hash", () => {
    const r = bridle("policy", "check", resolve(root, "policies/tool_policies.yaml"));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/version 2026-05-22, 7 tools, sha256 [0-9a-f]{64}/);
  });

  it("exits 2 and names the key and line of a bad policy", () => {
    const bad = join(work, "bad.yaml");
    writeFileSync(bad, 'version: "1"\ntools:\n  jira_read:\n    alowed_groups: [a]\n');
    const r = bridle("policy", "check", bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("line 4: tools.jira_read.alowed_groups: unknown key");
  });
});

describe("bridle policy test", () => {
  it("exits 0 when every case holds", () => {
    const r = bridle("policy", "test", resolve(root, "policies/tool_policies.test.yaml"));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/9 passed, 0 failed/);
  });

  it("exits 1 and shows the mismatch when a case fails", () => {
    const cases = join(work, "cases.yaml");
    writeFileSync(
      cases,
      `policy: ${resolve(root, "policies/tool_policies.yaml")}\ncases:\n  - name: interns may read\n    principal: { email: i@x, groups: [grp-ai-users], device_compliant: true }\n    tool: jira_read\n    expect: { allowed: true }\n`,
    );
    const r = bridle("policy", "test", cases);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL  interns may read");
    expect(r.stdout).toContain("allowed: expected true, got false");
  });

  it("exits 2 for a malformed cases file", () => {
    const cases = join(work, "broken.yaml");
    writeFileSync(cases, "cases: []\n");
    expect(bridle("policy", "test", cases).code).toBe(2);
  });
});

describe("bridle review", () => {
  const base = ["review", "--ticket", "CHG-18422", "--repository", "platform-infra", "--pull-request", "991"];

  it("runs the workflow in-process and prints JSON", () => {
    const r = bridle(
      ...base,
      "--user",
      "engineer@zyxbank.example",
      "--groups",
      "grp-ai-devops-readonly",
      "--device-compliant",
      "--json",
    );
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body.risk_rating).toBe("High");
    expect(body.finding_details).toHaveLength(5);
    const timeline = bridle("audit", "timeline", body.audit_trace_id);
    expect(timeline.code).toBe(0);
    expect(timeline.stdout).toContain("Requested by engineer@zyxbank.example");
    expect(timeline.stdout).toContain("review completed: risk high, 5 finding(s)");
  });

  it("prints a readable review by default", () => {
    const r = bridle(
      ...base,
      "--user",
      "engineer@zyxbank.example",
      "--groups",
      "grp-ai-devops-readonly",
      "--device-compliant",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Risk rating: High");
    expect(r.stdout).toMatch(/SG_ADMIN_PORT_OPEN_TO_WORLD terraform\/\S+\.tf:\d+/);
  });

  it("exits 1 when the policy denies", () => {
    const r = bridle(
      ...base,
      "--user",
      "intern@zyxbank.example",
      "--groups",
      "grp-ai-users",
      "--device-compliant",
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("jira_read: user does not belong to an allowed group");
  });

  it("exits 2 on bad input", () => {
    const r = bridle(
      "review",
      "--ticket",
      "CHG-1",
      "--repository",
      "x",
      "--pull-request",
      "abc",
      "--user",
      "u@x",
    );
    expect(r.code).toBe(2);
  });
});

describe("bridle serve: identity is never trusted by default", () => {
  it("refuses to start when identity.mode is not set anywhere", () => {
    // The workspace's bridle.yaml sets no identity.mode.
    const r = bridle("serve", "--port", "0");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("identity.mode is not set");
  });

  it("refuses dev-headers on a non-loopback address even when asked for", () => {
    const r = bridle("serve", "--identity", "dev-headers", "--host", "0.0.0.0", "--port", "0");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("may only bind to loopback");
  });

  it("refuses oidc without its issuer, audience and JWKS", () => {
    const r = bridle("serve", "--identity", "oidc", "--port", "0");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("identity.mode oidc needs identity.oidc");
  });
});
