/**
 * What a delegation lets an agent do: tools, workflows and cloud accounts, by name. Written as
 * an OAuth scope string (RFC 8693 §2.1): space-separated `tool:NAME`, `workflow:NAME`,
 * `account:NAME`. There is no wildcard: a delegation names everything it grants.
 */
export interface Scope {
  tools: readonly string[];
  workflows: readonly string[];
  accounts: readonly string[];
}

export const EMPTY_SCOPE: Scope = { tools: [], workflows: [], accounts: [] };

const KINDS = { tool: "tools", workflow: "workflows", account: "accounts" } as const;
const ITEM = /^(tool|workflow|account):([A-Za-z0-9][A-Za-z0-9_.-]{0,127})$/;
const MAX_ITEMS = 200;

export type ScopeParse = { ok: true; scope: Scope } | { ok: false; error: string };

export function parseScope(text: string): ScopeParse {
  const items = text.split(" ").filter((s) => s.length > 0);
  if (items.length > MAX_ITEMS) return { ok: false, error: `scope has more than ${MAX_ITEMS} items` };
  const out = { tools: new Set<string>(), workflows: new Set<string>(), accounts: new Set<string>() };
  for (const item of items) {
    const match = ITEM.exec(item);
    if (!match) {
      return {
        ok: false,
        error: `scope item "${item.slice(0, 80)}" is not tool:NAME, workflow:NAME or account:NAME`,
      };
    }
    out[KINDS[match[1] as keyof typeof KINDS]].add(match[2]!);
  }
  return { ok: true, scope: normalizeScope(out) };
}

export function formatScope(scope: Scope): string {
  return [
    ...scope.tools.map((t) => `tool:${t}`),
    ...scope.workflows.map((w) => `workflow:${w}`),
    ...scope.accounts.map((a) => `account:${a}`),
  ].join(" ");
}

/** Sorted, without duplicates: two equal scopes have equal JSON. */
export function normalizeScope(scope: { [K in keyof Scope]: Iterable<string> }): Scope {
  return {
    tools: [...new Set(scope.tools)].sort(),
    workflows: [...new Set(scope.workflows)].sort(),
    accounts: [...new Set(scope.accounts)].sort(),
  };
}

/** The items of `requested` that `allowed` does not grant, as scope items; empty = a subset. */
export function widening(requested: Scope, allowed: Scope): string[] {
  const missing = (kind: keyof Scope, prefix: string) =>
    requested[kind].filter((x) => !allowed[kind].includes(x)).map((x) => `${prefix}:${x}`);
  return [
    ...missing("tools", "tool"),
    ...missing("workflows", "workflow"),
    ...missing("accounts", "account"),
  ];
}

export function intersectScopes(a: Scope, b: Scope): Scope {
  return {
    tools: a.tools.filter((x) => b.tools.includes(x)),
    workflows: a.workflows.filter((x) => b.workflows.includes(x)),
    accounts: a.accounts.filter((x) => b.accounts.includes(x)),
  };
}

export function isEmptyScope(scope: Scope): boolean {
  return scope.tools.length === 0 && scope.workflows.length === 0 && scope.accounts.length === 0;
}
