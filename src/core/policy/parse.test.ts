import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../config/paths.js";
import { parsePolicy } from "./parse.js";

const reference = readFileSync(join(packageRoot(), "policies/tool_policies.yaml"), "utf8");

describe("parsePolicy", () => {
  it("accepts the reference policy and hashes the file's bytes", () => {
    const result = parsePolicy(reference);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.version).toBe("2026-05-22");
    expect(result.policy.tools.size).toBe(7);
    expect(result.policy.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(parsePolicy(`${reference}\n`).ok && parsePolicy(`${reference}\n`)).not.toMatchObject({
      policy: { sha256: result.policy.sha256 },
    });
  });

  it("names the unknown key and its line", () => {
    const text = 'version: "1"\ntools:\n  jira_read:\n    allowed_groups: [a]\n    aproval_required: true\n';
    const result = parsePolicy(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { path: "tools.jira_read.aproval_required", line: 5, message: "unknown key: aproval_required" },
    ]);
  });

  it("names a wrongly typed value and its line", () => {
    const text = 'version: "1"\nkill_switch:\n  read_only_mode: "yes"\ntools: {}\n';
    const result = parsePolicy(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({ path: "kill_switch.read_only_mode", line: 3 });
  });

  it("reports YAML syntax errors with a line", () => {
    const result = parsePolicy('version: "1"\ntools:\n  a: [unclosed\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.message).toMatch(/^YAML syntax/);
    expect(result.problems[0]?.line).toBeGreaterThan(0);
  });

  it("refuses duplicate keys (a second definition would silently win)", () => {
    const result = parsePolicy('version: "1"\ntools:\n  a: {}\n  a: {write: true}\n');
    expect(result.ok).toBe(false);
  });

  it("requires version and tools", () => {
    const result = parsePolicy("kill_switch: {}\n");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path).sort()).toEqual(["tools", "version"]);
  });

  it("refuses a tool with an unknown risk", () => {
    const result = parsePolicy('version: "1"\ntools:\n  a:\n    risk: extreme\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({ path: "tools.a.risk", line: 4 });
  });
});
