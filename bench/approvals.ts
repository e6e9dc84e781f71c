import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { loadConfig } from "../src/config/load.js";
import { packageRoot } from "../src/config/paths.js";
import type { Principal } from "../src/core/principal.js";
import { createBridle } from "../src/runtime.js";

/**
 * Approvals at scale: memory for 10,000 pending requests above the same idle server (floor
 * < 50 MB), and votes per second, next to a baseline measured in the same run: the store's bare
 * read-modify-write of a request (what a vote cannot do without), so the ratio shows what the
 * rules and the audit event cost on top.
 */
export interface ApprovalBench {
  pending: number;
  idleRssMb: number;
  pendingRssMb: number;
  deltaMb: number;
  heapDeltaMb: number;
  votesPerSec: number;
  bareUpdatesPerSec: number;
}

export const MEMORY_FLOOR_MB = 50;
const REQUESTER: Principal = {
  email: "engineer@zyxbank.example",
  groups: ["grp-ai-devops-readonly"],
  deviceCompliant: true,
  authenticatedBy: "dev-headers",
};

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function rssMb(): number {
  gc();
  return process.memoryUsage().rss / 2 ** 20;
}

export async function benchApprovals(pending = 10_000): Promise<ApprovalBench> {
  const dir = mkdtempSync(join(tmpdir(), "bridle-bench-approvals-"));
  const policy = join(dir, "policy.yaml");
  writeFileSync(
    policy,
    readFileSync(join(packageRoot(), "policies/tool_policies.yaml"), "utf8").replace(
      / {2}jira_add_comment:\n( {4}.*\n)+? {4}approval_required: false\n/,
      "  jira_add_comment:\n    allowed_groups: [grp-ai-devops-readonly]\n    write: true\n    approval_required: true\n    approval_groups: [grp-ai-prod-approvers]\n    approvals_required: 2\n",
    ),
  );
  const file = join(dir, "bridle.yaml");
  writeFileSync(
    file,
    `policy: ${policy}\nstore: { url: "sqlite:bridle.db" }\naudit: { signing_key: key.pem }\n`,
  );
  const bridle = await createBridle(loadConfig(file, {}, dir), {
    logger: pino({ level: "silent" }),
    policyPollMs: 0,
    approvalSweepMs: 0,
  });
  try {
    const assessment = await bridle.runner.assess(
      { principal: REQUESTER, traceId: "bench-assess" },
      "jira_add_comment",
      { ticket: "CHG-18422", body: "benchmark" },
    );
    const idle = rssMb();
    const idleHeap = process.memoryUsage().heapUsed;
    const ids: string[] = [];
    for (let i = 0; i < pending; i++) {
      const r = await bridle.approvals.request(
        { principal: REQUESTER, traceId: `bench-${i}` },
        assessment,
        "bench",
      );
      ids.push(r.id);
    }
    await bridle.ledger.sink.flush();
    const loaded = rssMb();
    const heapDelta = (process.memoryUsage().heapUsed - idleHeap) / 2 ** 20;

    const store = bridle.ledger.store.approvals();
    const n = Math.min(2000, pending);
    let start = performance.now();
    for (let i = 0; i < n; i++) await store.update(ids[i]!, (r) => ({ ...r }));
    const bareUpdatesPerSec = n / ((performance.now() - start) / 1000);

    start = performance.now();
    await Promise.all(
      ids.slice(0, n).map((id, i) =>
        bridle.approvals.decide(
          id,
          {
            email: `approver${i % 7}@zyxbank.example`,
            groups: ["grp-ai-prod-approvers"],
            deviceCompliant: true,
            authenticatedBy: "oidc",
          },
          "approve",
          null,
          "http",
        ),
      ),
    );
    const votesPerSec = n / ((performance.now() - start) / 1000);
    return {
      pending,
      idleRssMb: idle,
      pendingRssMb: loaded,
      deltaMb: loaded - idle,
      heapDeltaMb: heapDelta,
      votesPerSec,
      bareUpdatesPerSec,
    };
  } finally {
    await bridle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function approvalsMarkdown(b: ApprovalBench): string {
  return [
    "| measure | value |",
    "|---|---:|",
    `| resident memory, idle server (SQLite, sandbox) | ${fmt(b.idleRssMb, 1)} MB |`,
    `| resident memory with ${fmt(b.pending)} pending approvals | ${fmt(b.pendingRssMb, 1)} MB |`,
    `| difference (floor < ${MEMORY_FLOOR_MB} MB) | ${fmt(b.deltaMb, 1)} MB (${b.deltaMb < MEMORY_FLOOR_MB ? "met" : "**NOT met**"}) |`,
    `| JS heap difference | ${fmt(b.heapDeltaMb, 1)} MB |`,
    `| approval votes per second (rules, store transaction, durable audit event) | ${fmt(b.votesPerSec)} |`,
    `| baseline: bare read-modify-write of a request in the store | ${fmt(b.bareUpdatesPerSec)} |`,
    `| ratio (votes / bare updates) | ${fmt(b.votesPerSec / b.bareUpdatesPerSec, 3)} |`,
    "",
    "Pending requests live in the store, not in memory: the difference is SQLite's page cache and the",
    "ledger's buffers, which is why it stays flat as requests grow. Resident size can even fall (the",
    "allocator returns startup pages after the forced GC); the JS heap difference is the steadier figure.",
  ].join("\n");
}

/**
 * Memory is only meaningful in a process that has run nothing else (the other benchmarks leave
 * their heaps and caches behind): run.ts runs this file in a child process of its own.
 */
export async function benchApprovalsInChild(): Promise<ApprovalBench> {
  const { execFile } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--expose-gc", self], { maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(JSON.parse(stdout) as ApprovalBench);
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await benchApprovals())}\n`);
}
