import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createPolicySource } from "./policy-source.js";

const reference = readFileSync("policies/tool_policies.yaml", "utf8");

function tempPolicy(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "bridle-policy-")), "policy.yaml");
  writeFileSync(file, text);
  return file;
}

describe("policy hot reload", () => {
  it("swaps in a changed, valid policy", () => {
    const file = tempPolicy(reference);
    const source = createPolicySource(file, pino({ level: "silent" }), undefined, 0);
    const before = source.current();
    writeFileSync(file, reference.replace('version: "2026-05-22"', 'version: "2026-06-01"'));
    expect(source.reload()).toEqual({ changed: true, error: null });
    expect(source.current().version).toBe("2026-06-01");
    expect(source.current().sha256).not.toBe(before.sha256);
  });

  it("keeps the old policy when the new file is bad, and says why", () => {
    const file = tempPolicy(reference);
    const events: { error: string | null }[] = [];
    const source = createPolicySource(file, pino({ level: "silent" }), (e) => events.push(e), 0);
    const good = source.current();
    writeFileSync(file, reference.replace("read_only_mode: false", "read_only_mode: maybe"));
    const result = source.reload();
    expect(result.changed).toBe(false);
    expect(result.error).toMatch(/kill_switch\.read_only_mode/);
    expect(result.error).toMatch(/line \d+/);
    expect(source.current()).toBe(good);
    expect(events).toHaveLength(1);
  });

  it("refuses to start on a bad policy", () => {
    const file = tempPolicy("version: 1\ntools:\n  x: { nope: 1 }\n");
    expect(() => createPolicySource(file, pino({ level: "silent" }), undefined, 0)).toThrow(/tools\.x\.nope/);
  });

  it("picks up an edit by itself when polling", async () => {
    const file = tempPolicy(reference);
    const source = createPolicySource(file, pino({ level: "silent" }), undefined, 50);
    try {
      // Let the watcher take its baseline stat before the edit.
      await new Promise((r) => setTimeout(r, 200));
      writeFileSync(file, reference.replace('version: "2026-05-22"', 'version: "polled"'));
      const deadline = Date.now() + 5_000;
      while (source.current().version !== "polled" && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
      expect(source.current().version).toBe("polled");
    } finally {
      source.close();
    }
  });
});
