import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { loadConfig, resolveFrom } from "../../config/load.js";
import { parsePolicyCases, runPolicyCase } from "../../core/policy/cases.js";
import { PolicyFileSchema } from "../../core/policy/schema.js";
import { readPolicyFile } from "../../harness/policy-source.js";
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
