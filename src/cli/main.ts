#!/usr/bin/env node
import { Command } from "commander";
import {
  auditCheckpointCommand,
  auditExportCommand,
  auditPublicKeyCommand,
  auditTimelineCommand,
  auditVerifyCommand,
} from "./commands/audit.js";
import {
  approvalsDecideCommand,
  approvalsListCommand,
  approvalsShowCommand,
  killSwitchSetCommand,
  killSwitchStatusCommand,
  rollbackCommand,
} from "./commands/gated.js";
import { identitiesCommand, revokeDelegationCommand } from "./commands/identities.js";
import {
  policyCheckCommand,
  policySchemaCommand,
  policySimulateCommand,
  policyTestCommand,
} from "./commands/policy.js";
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
  .option(
    "--identity <mode>",
    "identity.mode for this run: oidc, or dev-headers (local development, loopback only)",
  )
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
policy
  .command("simulate")
  .description("replay recorded decisions through a candidate policy and list what would change")
  .requiredOption("--policy <file>", "the candidate policy")
  .option("--since <window>", "only decisions since (24h, 7d, or an ISO-8601 time)")
  .option("--json", "print the full report as JSON")
  .option("--config <file>", "configuration file")
  .action(policySimulateCommand);

const identities = program
  .command("identities")
  .description("the non-human inventory: agents, owners, scopes, delegations, last use")
  .option("--config <file>", "configuration file")
  .option("--json", "machine-readable output")
  .action(identitiesCommand);
identities
  .command("revoke <delegation_id>")
  .description("revoke a delegation and every delegation issued under it")
  .requiredOption("--reason <text>", "why (recorded in the audit ledger)")
  .option("--config <file>", "configuration file")
  .action(revokeDelegationCommand);

/** Options every client verb of the running server takes. */
function clientOptions(command: Command): Command {
  return command
    .option("--config <file>", "configuration file (for the server's address)")
    .option("--url <url>", "the Bridle server (default: server.host and server.port of the config)")
    .option("--token <jwt>", "bearer token (default: BRIDLE_TOKEN)")
    .option("--user <email>", "dev-headers identity (dev-headers servers only)")
    .option("--groups <a,b>", "dev-headers groups")
    .option("--json", "machine-readable output");
}
const collect = (value: string, previous: string[] = []) => [...previous, value];

const approvals = program.command("approvals").description("list and decide approval requests");
clientOptions(approvals.command("list").option("--status <status>", "pending, approved, executed, …")).action(
  approvalsListCommand,
);
clientOptions(approvals.command("show <id>")).action(approvalsShowCommand);
clientOptions(approvals.command("approve <id>").option("--comment <text>", "recorded with the vote")).action(
  (id, opts) => approvalsDecideCommand("approve", id, opts),
);
clientOptions(approvals.command("deny <id>").option("--comment <text>", "recorded with the vote")).action(
  (id, opts) => approvalsDecideCommand("deny", id, opts),
);

const killswitch = program.command("killswitch").description("read or set the runtime kill switch");
clientOptions(killswitch.command("status")).action(killSwitchStatusCommand);
clientOptions(
  killswitch
    .command("set")
    .option("--read-only", "refuse every write tool")
    .option("--all-writes-off", "disable all write tools")
    .option("--disable-user <email>", "switch off a user or agent (repeatable)", collect)
    .option("--disable-connector <name>", "switch off a connector (repeatable)", collect)
    .option("--disable-workflow <name>", "switch off a workflow (repeatable)", collect)
    .option("--off", "lift the given switches instead of setting them")
    .requiredOption("--reason <text>", "why (recorded in the audit ledger)"),
).action(killSwitchSetCommand);

clientOptions(
  program
    .command("rollback <trace_id>")
    .description("undo the write of a trace (gated like any write; refused if the resource drifted)")
    .option("--dry-run", "show the inverse change and any drift, change nothing")
    .option("--justification <text>", "why"),
).action(rollbackCommand);

const audit = program.command("audit").description("verify, read and export the audit ledger");
audit
  .command("verify")
  .description("verify the hash chain and signed checkpoints (the store, or an export offline)")
  .option("--file <export.jsonl>", "an export made by `bridle audit export --format jsonl`")
  .option("--public-key <file>", "the public key (`bridle audit public-key`) for --file")
  .option("--config <file>", "configuration file")
  .action(auditVerifyCommand);
audit
  .command("public-key")
  .description("print the checkpoint-signing public key (PEM)")
  .option("--config <file>", "configuration file")
  .action(auditPublicKeyCommand);
audit
  .command("checkpoint")
  .description("sign the ledger's current head now")
  .option("--config <file>", "configuration file")
  .action(auditCheckpointCommand);
audit
  .command("timeline <trace_id>")
  .description("tell the story of one run")
  .option("--config <file>", "configuration file")
  .action(auditTimelineCommand);
audit
  .command("export")
  .description("export the ledger for a SIEM or an auditor")
  .requiredOption("--format <format>", "jsonl (verifiable) or ocsf")
  .option("--since <window>", "only events since (24h, 7d, or an ISO-8601 time)")
  .option("--output <file>", "write here instead of stdout")
  .option("--config <file>", "configuration file")
  .action(auditExportCommand);

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
