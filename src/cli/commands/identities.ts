import { hostname, userInfo } from "node:os";
import pino from "pino";
import { loadConfig } from "../../config/load.js";
import { actorOf } from "../../core/audit/event.js";
import { buildInventory, type InventoryAgent } from "../../core/identity/inventory.js";
import { formatScope } from "../../core/identity/scope.js";
import { readPolicyFile } from "../../harness/policy-source.js";
import { configuredPolicyPath, openLedger } from "../../runtime.js";
import { CliExit, EXIT } from "../io.js";

const LIST_LIMIT = 10_000;

/** `bridle identities [--json]`: agents, their owners, scopes, delegations and last use. */
export async function identitiesCommand(opts: { config?: string; json?: boolean }): Promise<void> {
  const loaded = loadConfig(opts.config, process.env, process.cwd());
  const policy = readPolicyFile(configuredPolicyPath(loaded));
  const ledger = await openLedger(loaded, pino({ level: "silent" }));
  try {
    const delegations = await ledger.store.identities().listDelegations(LIST_LIMIT);
    const inventory = buildInventory(policy, delegations, new Date());
    process.stdout.write(opts.json ? `${JSON.stringify(inventory, null, 2)}\n` : renderInventory(inventory));
  } finally {
    await ledger.close();
  }
}

/** `bridle identities revoke ID --reason TEXT`: the delegation and everything issued under it. */
export async function revokeDelegationCommand(
  id: string,
  opts: { config?: string; reason?: string },
): Promise<void> {
  const reason = opts.reason?.trim();
  if (!reason) throw new CliExit(EXIT.usage, "--reason is required: say why the delegation is revoked");
  const loaded = loadConfig(opts.config, process.env, process.cwd());
  const ledger = await openLedger(loaded, pino({ level: "silent" }));
  try {
    const store = ledger.store.identities();
    if (!(await store.getDelegation(id))) throw new CliExit(EXIT.usage, `no delegation ${id}`);
    const now = new Date();
    const revoked = await store.revoke(id, now.toISOString(), reason);
    const operator = {
      email: `${userInfo().username}@${hostname()}`,
      groups: [],
      deviceCompliant: false,
      authenticatedBy: "cli" as const,
    };
    await ledger.sink.append({
      timestamp_utc: now.toISOString(),
      event_type: "delegation_revoked",
      trace_id: `revoke-${id}`.slice(0, 64),
      actor: actorOf(operator),
      tool: null,
      decisions: null,
      policy: null,
      model: null,
      validation: null,
      approval: null,
      outcome: { status: "ok" },
      data: { delegation_id: id, revoked, reason },
    });
    process.stdout.write(
      revoked.length === 0
        ? `${id} was already revoked\n`
        : `revoked ${revoked.length} delegation(s): ${revoked.join(", ")}\n`,
    );
  } finally {
    await ledger.close();
  }
}

export function renderInventory(agents: readonly InventoryAgent[]): string {
  if (agents.length === 0) return "No agents: none registered in the policy, none holding a delegation.\n";
  const lines: string[] = [];
  for (const a of agents) {
    lines.push(
      `${a.name ?? "(not registered)"}  ${a.identity}`,
      `  owner: ${a.owner ?? "none"}   last used: ${a.last_used_at ?? "never"}   active delegations: ${a.active_delegations}`,
      `  registered scope: ${a.registered_scope ? formatScope(a.registered_scope) || "(nothing)" : "(none: not in the policy)"}`,
    );
    for (const d of a.delegations) {
      lines.push(
        `  - ${d.id} [${d.status}] for ${d.subject} via ${d.chain.join(" → ")}: "${d.purpose}"`,
        `      scope: ${formatScope(d.scope)}; issued ${d.issued_at}, expires ${d.expires_at}; used ${d.uses}×, last ${d.last_used_at ?? "never"}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
