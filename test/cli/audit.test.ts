import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/sqlite/connection.js";
import { cliWorkspace, root } from "../support/cli.js";

const workspace = cliWorkspace(4);
const work = workspace.dir;
const bridle = workspace.run;

const review = (user: string, groups: string) =>
  bridle(
    "review",
    "--ticket",
    "CHG-18422",
    "--repository",
    "platform-infra",
    "--pull-request",
    "991",
    "--user",
    user,
    "--groups",
    groups,
    "--device-compliant",
    "--json",
  );

beforeAll(() => {
  expect(review("engineer@zyxbank.example", "grp-ai-devops-readonly").code).toBe(0);
  expect(review("intern@zyxbank.example", "grp-ai-users").code).toBe(1);
  expect(review("engineer@zyxbank.example", "grp-ai-devops-readonly").code).toBe(0);
}, 400_000);

describe("bridle audit", () => {
  it("checkpoint: signs the current head", () => {
    const r = bridle("audit", "checkpoint");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^signed checkpoint at seq \d+ \([0-9a-f]{64}\)/);
  });

  it("verify: the store's chain and signed checkpoints are intact", () => {
    const r = bridle("audit", "verify");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^ok: ledger \(sqlite\): \d+ events verified through seq \d+, [1-9]\d* signed checkpoint/,
    );
  });

  it("export + offline verify with only the public key; any edit is caught and named", {
    timeout: 180_000,
  }, () => {
    const exported = bridle("audit", "export", "--format", "jsonl", "--output", join(work, "export.jsonl"));
    expect(exported.code).toBe(0);
    writeFileSync(join(work, "public.pem"), bridle("audit", "public-key").stdout);
    const ok = bridle(
      "audit",
      "verify",
      "--file",
      join(work, "export.jsonl"),
      "--public-key",
      join(work, "public.pem"),
    );
    expect(ok.code).toBe(0);

    const lines = readFileSync(join(work, "export.jsonl"), "utf8").split("\n");
    const target = lines.findIndex((l) => l.includes('"event_type":"tool_call"'));
    const seq = JSON.parse(lines[target] as string).record.seq;
    const edited = [...lines];
    edited[target] = (lines[target] as string).replace('"status":"ok"', '"status":"error"');
    expect(edited[target]).not.toBe(lines[target]);
    writeFileSync(join(work, "edited.jsonl"), edited.join("\n"));
    const bad = bridle(
      "audit",
      "verify",
      "--file",
      join(work, "edited.jsonl"),
      "--public-key",
      join(work, "public.pem"),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`first bad seq ${seq}`);

    writeFileSync(join(work, "truncated.jsonl"), lines.slice(0, lines.length - 4).join("\n"));
    const truncated = bridle(
      "audit",
      "verify",
      "--file",
      join(work, "truncated.jsonl"),
      "--public-key",
      join(work, "public.pem"),
    );
    expect(truncated.code).toBe(1);
  });

  it("ocsf export: one OCSF event per line", () => {
    const r = bridle("audit", "export", "--format", "ocsf", "--since", "1h");
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events.length).toBeGreaterThan(10);
    for (const e of events)
      expect(e).toMatchObject({ class_uid: expect.any(Number), time: expect.any(Number) });
  });

  it("policy simulate: lists the decisions a stricter policy would change", () => {
    const strict = join(work, "strict.yaml");
    writeFileSync(
      strict,
      readFileSync(resolve(root, "policies/tool_policies.yaml"), "utf8").replace(
        "read_only_mode: false",
        "read_only_mode: true",
      ),
    );
    const r = bridle("policy", "simulate", "--policy", strict, "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.counts.allow_to_deny).toBeGreaterThan(0);
    expect(report.by_tool.map((t: { tool: string }) => t.tool)).toEqual(
      expect.arrayContaining(["jira_add_comment", "slack_post_message"]),
    );
    expect(report.counts.deny_to_allow).toBe(0);
  });

  it("usage errors exit 2", () => {
    expect(bridle("audit", "export", "--format", "csv").code).toBe(2);
    expect(bridle("audit", "verify", "--file", "x.jsonl").code).toBe(2);
  });

  it("verify: an edit made directly in the database (triggers dropped) is caught and named", () => {
    const db = openDatabase(join(work, "bridle.db"));
    db.exec("DROP TRIGGER audit_events_no_update");
    const row = db
      .prepare("SELECT seq, record FROM audit_events WHERE event_type = 'policy_decision' LIMIT 1")
      .get() as {
      seq: number;
      record: string;
    };
    db.prepare("UPDATE audit_events SET record = ? WHERE seq = ?").run(
      row.record.replace('"reason":"', '"reason":"(edited) '),
      row.seq,
    );
    db.close();
    expect(row.record).toContain('"reason":"');
    const r = bridle("audit", "verify");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`first bad seq ${row.seq}`);
  });
});
