import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import pino from "pino";
import { z } from "zod";
import { loadConfig, resolveFrom } from "../../config/load.js";
import { parseSince } from "../../core/audit/since.js";
import { PolicySimulator } from "../../core/ledger/simulate.js";
import { parsePolicyCases, runPolicyCase } from "../../core/policy/cases.js";
import { PolicyFileSchema } from "../../core/policy/schema.js";
import { readPolicyFile } from "../../harness/policy-source.js";
import { openLedger } from "../../runtime.js";
import { CliExit, EXIT } from "../io.js";

export function policyCheckCommand(file: string): void {
  const policy = readPolicyFile(resolve(file));
  process.stdout.write(
    `ok: ${file} version ${policy.version}, ${policy.tools.size} tools, sha256 ${policy.sha256}\n`,
  );
}

export function policyTestCommand(file: string, opts: { config?: string }): void {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new CliExit(EXIT.usage, `cannot read ${file}`);
  }
  const parsed = parsePolicyCases(text);
  if (!parsed.ok) throw new CliExit(EXIT.usage, `${file}: ${parsed.error}`);
  const loaded = loadConfig(opts.config, process.env, process.cwd());
  const policyPath = parsed.cases.policy
    ? resolve(dirname(resolve(file)), parsed.cases.policy)
    : resolveFrom(loaded.baseDir, loaded.config.policy);
  const policy = readPolicyFile(policyPath);
  let failed = 0;
  for (const testCase of parsed.cases.cases) {
    const result = runPolicyCase(policy, testCase);
    if (result.passed) {
      process.stdout.write(`  ok    ${result.name}\n`);
    } else {
      failed += 1;
      process.stdout.write(
        `  FAIL  ${result.name}\n${result.mismatches.map((m) => `          ${m}\n`).join("")}`,
      );
    }
  }
  const total = parsed.cases.cases.length;
  process.stdout.write(
    `${total - failed} passed, ${failed} failed (policy ${policy.version}, ${policyPath})\n`,
  );
  if (failed > 0) throw new CliExit(EXIT.failed, `${failed} policy case(s) failed`);
}

/** The policy file's JSON Schema, for editors (yaml-language-server, VS Code). */
export function policySchemaCommand(): void {
  process.stdout.write(`${JSON.stringify(z.toJSONSchema(PolicyFileSchema, { io: "input" }), null, 2)}\n`);
}

/** `bridle policy simulate --policy NEW.yaml [--since 7d]`: what would change, from the ledger. */
export async function policySimulateCommand(opts: {
  policy: string;
  since?: string;
  json?: boolean;
  config?: string;
}) {
  const candidate = readPolicyFile(resolve(opts.policy));
  const since = opts.since === undefined ? undefined : parseSince(opts.since, new Date());
  if (since === null) throw new CliExit(EXIT.usage, "--since: use 24h, 7d or an ISO-8601 time");
  const loaded = loadConfig(opts.config, process.env, process.cwd());
  const ledger = await openLedger(loaded, pino({ level: "silent" }));
  try {
    const fromSeq = since
      ? ((await ledger.store.query({ since, limit: 1 }))[0]?.seq ?? Number.MAX_SAFE_INTEGER)
      : 1;
    const simulator = new PolicySimulator(candidate);
    for await (const record of ledger.records(fromSeq)) simulator.add(record);
    const r = simulator.report();
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return;
    }
    const lines = [
      `Candidate policy ${r.candidate.version} (${r.candidate.sha256.slice(0, 12)}…): ${r.decisions_replayed} recorded decisions replayed from ${r.records_scanned} events${since ? ` since ${since}` : ""}.`,
      `Would change: ${r.counts.total} (allow→deny ${r.counts.allow_to_deny}, deny→allow ${r.counts.deny_to_allow}, approval added ${r.counts.approval_added}, approval removed ${r.counts.approval_removed}); reasons only: ${r.reason_changes.length}; uncertain (redacted arguments): ${r.uncertain}; skipped: ${r.skipped}.`,
      ...(r.by_tool.length ? ["", "By tool:", ...r.by_tool.map((t) => `  ${t.tool}: ${t.total}`)] : []),
      ...(r.by_user.length ? ["", "By user:", ...r.by_user.map((u) => `  ${u.user}: ${u.total}`)] : []),
      ...(r.changes.length ? ["", "Changes:"] : []),
      ...r.changes.slice(0, 200).map((c) => `  ${JSON.stringify(c)}`),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await ledger.close();
  }
}
