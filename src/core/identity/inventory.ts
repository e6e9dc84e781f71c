import type { CompiledPolicy } from "../policy/compile.js";
import type { Scope } from "./scope.js";

/** A delegation as the inventory needs it (the store's record, minus nothing sensitive). */
export interface InventoryDelegation {
  id: string;
  parent_id: string | null;
  subject: string;
  agent: string;
  chain: readonly string[];
  scope: Scope;
  purpose: string;
  issued_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
  uses: number;
}

export type DelegationStatus = "active" | "expired" | "revoked";

export interface InventoryAgent {
  identity: string;
  /** Null for an agent that holds delegations but is no longer (or never was) in the policy. */
  name: string | null;
  owner: string | null;
  registered_scope: Scope | null;
  delegations: (InventoryDelegation & { status: DelegationStatus })[];
  active_delegations: number;
  last_used_at: string | null;
}

/**
 * The non-human inventory (seed 003): every agent the policy registers or that holds a
 * delegation, with its owner, the most it may do, what it was delegated by whom and for what,
 * and when it last acted. Pure; the caller reads the policy and the store.
 */
export function buildInventory(
  policy: CompiledPolicy,
  delegations: readonly InventoryDelegation[],
  now: Date,
): InventoryAgent[] {
  const agents = new Map<string, InventoryAgent>();
  const entry = (identity: string): InventoryAgent => {
    let agent = agents.get(identity);
    if (!agent) {
      const registered = policy.agents.get(identity);
      agent = {
        identity,
        name: registered?.name ?? null,
        owner: registered?.owner ?? null,
        registered_scope: registered?.scope ?? null,
        delegations: [],
        active_delegations: 0,
        last_used_at: null,
      };
      agents.set(identity, agent);
    }
    return agent;
  };
  for (const identity of policy.agents.keys()) entry(identity);
  for (const d of delegations) {
    const agent = entry(d.agent);
    const status = statusOf(d, now);
    agent.delegations.push({ ...d, status });
    if (status === "active") agent.active_delegations++;
    if (d.last_used_at && (!agent.last_used_at || d.last_used_at > agent.last_used_at))
      agent.last_used_at = d.last_used_at;
  }
  return [...agents.values()].sort((a, b) => a.identity.localeCompare(b.identity));
}

export function statusOf(
  d: Pick<InventoryDelegation, "revoked_at" | "expires_at">,
  now: Date,
): DelegationStatus {
  if (d.revoked_at) return "revoked";
  return Date.parse(d.expires_at) <= now.getTime() ? "expired" : "active";
}
