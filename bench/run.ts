import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../src/config/paths.js";
import { approvalsMarkdown, benchApprovalsInChild } from "./approvals.js";
import { benchDecisions } from "./decisions.js";
import { bridleBenchConfig, type LoadResult, load, startServer } from "./http.js";
import { benchLedgerStoresInChild, ledgerMarkdown } from "./ledger-store.js";
import { benchVerify, ledgerVerifyTable } from "./ledger-verify.js";
import { qualitySection } from "./quality.js";

/**
 * `npm run bench`: measures, then writes BENCHMARKS.md. Every figure that matters is a ratio
 * against a baseline measured in the same run, because these machines are noisy.
 */
const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 5);
const CONNECTIONS = [1, 16, 64];

const devops = {
  "x-user-email": "engineer@zyxbank.example",
  "x-user-groups": "grp-ai-users,grp-ai-devops-readonly",
  "x-device-compliant": "true",
};
const intern = {
  "x-user-email": "intern@zyxbank.example",
  "x-user-groups": "grp-ai-users",
  "x-device-compliant": "true",
};

async function benchHttp(): Promise<LoadResult[]> {
  const root = packageRoot();
  const bare = await startServer(join(root, "dist/bench/servers/bare.js"), []);
  const bridle = await startServer(join(root, "dist/src/cli/main.js"), [
    "serve",
    "--config",
    bridleBenchConfig(),
  ]);
  const results: LoadResult[] = [];
  try {
    for (const connections of CONNECTIONS) {
      process.stderr.write(`http: ${connections} connections\n`);
      results.push(await load("bare Fastify handler (ceiling)", bare.url, devops, connections, DURATION_SEC));
      results.push(
        await load("/review-change refused (missing group)", bridle.url, intern, connections, DURATION_SEC),
      );
      results.push(
        await load("/review-change full review (sandbox)", bridle.url, devops, connections, DURATION_SEC),
      );
    }
  } finally {
    bare.child.kill("SIGTERM");
    bridle.child.kill("SIGTERM");
  }
  return results;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function httpTable(results: LoadResult[]): string {
  const rows = results.map((r) => {
    const ceiling = results.find((c) => c.connections === r.connections && c.target.startsWith("bare"));
    const ratio = ceiling ? r.requestsPerSec / ceiling.requestsPerSec : 1;
    return `| ${r.target} | ${r.connections} | ${fmt(r.requestsPerSec)} | ${fmt(ratio, 3)} | ${r.p50ms} | ${r.p99ms} | ${r.non2xx} | ${r.errors} |`;
  });
  return [
    "| target | connections | req/s | ratio to ceiling | p50 ms | p99 ms | non-2xx | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
  ].join("\n");
}

async function main() {
  process.stderr.write("decisions…\n");
  const d = benchDecisions();
  // Before the HTTP runs: their servers and load generator leave the machine busy for a while.
  process.stderr.write("ledger stores…\n");
  const stores = await benchLedgerStoresInChild();
  const http = await benchHttp();
  process.stderr.write("ledger verify…\n");
  const verify = await benchVerify();
  process.stderr.write("approvals…\n");
  const approvals = await benchApprovalsInChild();
  process.stderr.write("corpora…\n");
  const quality = await qualitySection();
  const cpu = cpus()[0]?.model ?? "unknown";
  const doc = `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Do not edit by hand; re-run it.

- Machine: ${cpus().length} × ${cpu}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}, ${process.platform}/${process.arch}.
- Command: \`npm run bench\` (builds, then runs \`node dist/bench/run.js\`; \`BENCH_DURATION_SEC\` sets each load run, ${DURATION_SEC} s here).
- Method: these machines are noisy, so each figure sits next to a baseline measured in the same run, and the ratio is the figure that counts.

## Policy decisions (in-process, one core)

${fmt(d.iterations)} decisions over a mix of seven inputs (allowed, group denied, device denied, account and channel
checks, a production write with every argument control failing, an undefined tool), full semantics: both kill
switches, groups, device posture, argument controls, every reason collected. Baseline: a \`Map\` lookup plus a
boolean over the same tool names — the floor under any decision.

| measure | per second |
|---|---:|
| \`decide()\` with full semantics | ${fmt(d.decisionsPerSec)} |
| \`Map.get\` baseline | ${fmt(d.mapLookupsPerSec)} |
| ratio (decide / Map) | ${fmt(d.ratio, 3)} |

Floor (issue 3): ≥ 1,000,000 decisions/s on one core — ${d.decisionsPerSec >= 1e6 ? "met" : "NOT met"}.

## HTTP: \`POST /review-change\`

Load from autocannon in the benchmark process; each server runs in its own process (\`bridle serve\` with the
sandbox connectors in-process, the audit ledger on SQLite with group commit, log level warn). The ceiling is a bare Fastify
handler parsing the same body, measured in the same run. "Refused" is the reference's missing-group request (403
after the plan decision is durably audited); "full review" reads the ticket, the PR and its Terraform files, the
standards and the AWS security groups from the sandbox over HTTP, analyzes, posts to Jira and Slack, and audits.
Both cores are shared by the load generator, the server and the sandbox.

${httpTable(http)}

## Audit ledger: durable appends

Measured in a process of its own (as a server's ledger runs), before the HTTP runs. Callers each append an event
(~850 bytes of canonical JSON), wait for the durable acknowledgement and append again; each event is encoded on
the calling thread, then sealed and committed by the SQLite writer thread.

${ledgerMarkdown(stores)}

## Audit ledger: verification

${ledgerVerifyTable(verify)}

## Approvals: memory and votes

10,000 approval requests filed through the approvals service (each one durably audited), then votes on 2,000 of
them (the first of two approvals each: rules, one store transaction, one audit event; nothing executes).
Memory is resident set size after a forced GC, against the same server idle, in a process that runs nothing else.

${approvalsMarkdown(approvals)}

${quality}
`;
  writeFileSync(join(packageRoot(), "BENCHMARKS.md"), doc);
  process.stdout.write(doc);
}

await main();
