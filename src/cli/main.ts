#!/usr/bin/env node
import { Command } from "commander";
import { policyCheckCommand, policySchemaCommand, policyTestCommand } from "./commands/policy.js";
import { reviewCommand } from "./commands/review.js";
import { serveCommand } from "./commands/serve.js";
import { EXIT, exitCodeFor } from "./io.js";

const program = new Command()
  .name("bridle")
  .description("A secure harness for operational AI agents.")
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

program
  .command("serve")
  .description("serve the HTTP API")
  .option("--config <file>", "configuration file")
  .option("--port <n>", "port to listen on")
  .option("--host <host>", "address to bind")
  .action(serveCommand);

program
  .command("review")
  .description("review an infrastructure change (same workflow as POST /review-change)")
  .requiredOption("--ticket <key>", "Jira change ticket, e.g. CHG-18422")
  .requiredOption("--repository <name>", "GitHub repository, e.g. platform-infra")
  .requiredOption("--pull-request <n>", "pull request number")
  .requiredOption("--user <email>", "the requesting engineer")
  .option("--groups <a,b>", "the engineer's groups, comma-separated")
  .option("--device-compliant", "the engineer's device is compliant")
  .option("--json", "print the JSON response")
  .option("--config <file>", "configuration file")
  .action(reviewCommand);

const policy = program.command("policy").description("check, test and publish policy files");
policy.command("check <file>").description("validate a policy file").action(policyCheckCommand);
policy
  .command("test <file>")
  .description("run policy test cases (YAML) against a policy")
  .option("--config <file>", "configuration file")
  .action(policyTestCommand);
policy.command("schema").description("print the policy file's JSON Schema").action(policySchemaCommand);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const raw = (error as { code?: unknown }).code;
  const commanderCode = typeof raw === "string" ? raw : undefined;
  if (commanderCode === "commander.helpDisplayed" || commanderCode === "commander.version")
    process.exit(EXIT.ok);
  if (commanderCode?.startsWith("commander.")) process.exit(EXIT.usage);
  const { code, message } = exitCodeFor(error);
  process.stderr.write(`bridle: ${message}\n`);
  process.exit(code);
}
