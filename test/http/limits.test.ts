import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVOPS, startTestBridle, type TestBridle } from "../support/bridle.js";

/**
 * Rate limits and circuit breakers through HTTP: counters in the store, enforced by the pure
 * gateway. Confluence reads are limited per user; Slack posts have a breaker that opens on
 * errors (the sandbox is made to fail), cools down, half-opens and closes on a success.
 */
let t: TestBridle;

function limitedPolicy(): string {
  const dir = mkdtempSync(join(tmpdir(), "bridle-limits-"));
  const file = join(dir, "policy.yaml");
  let text = readFileSync("policies/tool_policies.yaml", "utf8");
  text = text.replace(
    "  confluence_read:\n",
    "  confluence_read:\n    rate_limits: { per_user: { max_per_minute: 2 } }\n",
  );
  text = text.replace(
    "  slack_post_message:\n",
    '  slack_post_message:\n    circuit_breaker: { error_rate: 0.5, min_calls: 2, window: "10m", cooldown: "2s" }\n',
  );
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  t = await startTestBridle(`policy: ${limitedPolicy()}\n`);
}, 30_000);
afterAll(async () => t?.close());

async function invoke(tool: string, args: object, headers: Record<string, string> = DEVOPS) {
  const response = await fetch(`${t.url}/v1/tools/${tool}/invoke`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ args }),
  });
  const body: any = await response.json();
  return { status: response.status, body };
}

describe("rate limits", () => {
  it("refuses the call over the per-user limit, and counts each user apart", async () => {
    const read = (h?: Record<string, string>) =>
      invoke("confluence_read", { cql: 'label = "security-standard"' }, h);
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(200);
    const third = await read();
    expect(third.status).toBe(403);
    expect(third.body.detail.reasons).toEqual(["rate limit exceeded"]);
    const other = { ...DEVOPS, "x-user-email": "someone.else@zyxbank.example" };
    expect((await read(other)).status).toBe(200);
  });
});

describe("circuit breaker", () => {
  const post = () =>
    invoke("slack_post_message", { channel: "devsecops-change-review", text: "breaker test" });

  it("opens on errors, refuses during the cooldown, half-opens, and closes on a success", async () => {
    t.sandbox.injectFault({ pathPrefix: "/slack/api/chat.postMessage", status: 500, times: 100 });
    try {
      expect((await post()).status).toBeGreaterThanOrEqual(500);
      expect((await post()).status).toBeGreaterThanOrEqual(500);
      const open = await post();
      expect(open.status).toBe(403);
      expect(open.body.detail.reasons).toEqual(["circuit breaker open"]);
    } finally {
      t.sandbox.clearFaults();
    }
    // Still open until the cooldown ends, though Slack is healthy again.
    expect((await post()).status).toBe(403);
    await new Promise((r) => setTimeout(r, 2100));
    const trial = await post();
    expect(trial.status).toBe(200);
    expect((await post()).status).toBe(200);
  });
});
