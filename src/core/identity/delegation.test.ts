import { describe, expect, it } from "vitest";
import { compilePolicy } from "../policy/compile.js";
import { decide } from "../policy/gateway.js";
import { REASONS } from "../policy/reasons.js";
import { PolicyFileSchema } from "../policy/schema.js";
import type { Principal } from "../principal.js";
import { type Delegator, planDelegation, userScope } from "./delegation.js";
import { buildInventory } from "./inventory.js";
import { formatScope, parseScope, type Scope } from "./scope.js";

const REVIEWER = "spiffe://zyx.example/agent/reviewer";
const HELPER = "oauth-client:helper-bot";
const ROGUE = "oauth-client:rogue";

function policyWith(extra: Record<string, unknown> = {}) {
  return compilePolicy(
    PolicyFileSchema.parse({
      version: "t",
      tools: {
        jira_read: { allowed_groups: ["devops"] },
        github_read_pr: { allowed_groups: ["devops"] },
        aws_dev_read: { allowed_groups: ["devops"], allowed_accounts: ["development", "staging"] },
        slack_post_message: { allowed_groups: ["devops"], write: true },
        iam_admin: { allowed_groups: ["admins"], write: true },
      },
      agents: {
        reviewer: {
          identity: REVIEWER,
          owner: "sec@zyx.example",
          tools: ["jira_read", "github_read_pr", "aws_dev_read", "slack_post_message"],
          workflows: ["change_review"],
          accounts: ["development"],
        },
        helper: {
          identity: HELPER,
          owner: "sec@zyx.example",
          tools: ["jira_read"],
          workflows: ["change_review"],
        },
      },
      ...extra,
    }),
    "0".repeat(64),
  );
}

const USER: Principal = {
  email: "dev@zyx.example",
  groups: ["devops"],
  deviceCompliant: true,
  authenticatedBy: "oidc",
};
const NOW = 1_800_000_000;
const LIMITS = { defaultTtlSeconds: 900, maxTtlSeconds: 3600, maxDepth: 3 };
const WORKFLOWS = ["change_review"];

function scope(text: string): Scope {
  const parsed = parseScope(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.scope;
}

function plan(
  delegator: Delegator,
  actor: string,
  text: string | null,
  more: object = {},
  policy = policyWith(),
) {
  return planDelegation(
    policy,
    WORKFLOWS,
    delegator,
    { actor, scope: text === null ? null : scope(text), purpose: "review CHG-1", ...more },
    NOW,
    LIMITS,
  );
}

const fromUser: Delegator = { principal: USER, expiresAt: NOW + 600 };

/** The principal an agent acts as under a plan that succeeded. */
function delegated(result: ReturnType<typeof plan>): Delegator {
  if (!result.ok) throw new Error(result.message);
  return {
    principal: {
      ...USER,
      authenticatedBy: "delegation",
      delegation: {
        id: `d-${result.delegation.hops.length}`,
        purpose: result.delegation.purpose,
        hops: result.delegation.hops,
        expiresAt: new Date(result.delegation.expiresAt * 1000).toISOString(),
      },
    },
    expiresAt: result.delegation.expiresAt,
  };
}

describe("scope strings", () => {
  it("parse, normalize and format round-trip", () => {
    const s = scope("tool:b tool:a  account:development tool:a workflow:change_review");
    expect(s).toEqual({ tools: ["a", "b"], workflows: ["change_review"], accounts: ["development"] });
    expect(formatScope(s)).toBe("tool:a tool:b workflow:change_review account:development");
  });

  it("refuses items that are not tool:, workflow: or account:", () => {
    expect(parseScope("tool:a admin").ok).toBe(false);
    expect(parseScope("tool:*").ok).toBe(false);
    expect(parseScope("repo:x").ok).toBe(false);
  });
});

describe("planDelegation", () => {
  it("delegates a subset of the user's and the agent's scope, capped at the default lifetime", () => {
    const result = plan(
      fromUser,
      REVIEWER,
      "tool:jira_read tool:aws_dev_read account:development workflow:change_review",
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.delegation.hops).toEqual([
      {
        agent: REVIEWER,
        scope: scope("tool:jira_read tool:aws_dev_read account:development workflow:change_review"),
      },
    ]);
    // The user's token expires in 600 s, sooner than the 900 s default: the delegation follows it.
    expect(result.delegation.expiresAt).toBe(NOW + 600);
  });

  it("refuses a scope wider than the user's groups allow, naming the item", () => {
    const result = plan(fromUser, REVIEWER, "tool:jira_read tool:iam_admin");
    expect(result).toMatchObject({ ok: false, error: "invalid_scope" });
    expect(!result.ok && result.message).toContain("tool:iam_admin");
  });

  it("refuses a scope wider than the agent's registered scope", () => {
    // The user may use staging; the agent is registered for development only.
    const result = plan(fromUser, REVIEWER, "tool:aws_dev_read account:staging");
    expect(result).toMatchObject({ ok: false, error: "invalid_scope" });
    expect(!result.ok && result.message).toContain("account:staging");
  });

  it("refuses an unregistered agent, a missing scope and a missing purpose", () => {
    expect(plan(fromUser, ROGUE, "tool:jira_read")).toMatchObject({
      ok: false,
      error: "unauthorized_client",
    });
    expect(plan(fromUser, REVIEWER, null)).toMatchObject({ ok: false, error: "invalid_scope" });
    expect(plan(fromUser, REVIEWER, "tool:jira_read", { purpose: undefined })).toMatchObject({
      ok: false,
      error: "invalid_request",
    });
  });

  it("refuses a delegation that would outlive its parent, and an expired parent", () => {
    const longer = plan(fromUser, REVIEWER, "tool:jira_read", { expiresIn: 601 });
    expect(longer).toMatchObject({ ok: false, error: "invalid_request" });
    expect(!longer.ok && longer.message).toContain("outlive its parent");
    expect(plan(fromUser, REVIEWER, "tool:jira_read", { expiresIn: 600 }).ok).toBe(true);
    expect(plan({ principal: USER, expiresAt: NOW }, REVIEWER, "tool:jira_read")).toMatchObject({
      ok: false,
      error: "invalid_grant",
    });
  });

  it("lets a sub-agent receive a narrower scope, never a wider one, and keeps the purpose", () => {
    const root = delegated(
      plan(fromUser, REVIEWER, "tool:jira_read tool:github_read_pr workflow:change_review"),
    );
    const narrower = plan(root, HELPER, "tool:jira_read workflow:change_review", { purpose: undefined });
    expect(narrower.ok).toBe(true);
    if (narrower.ok) {
      expect(narrower.delegation.hops.map((h) => h.agent)).toEqual([REVIEWER, HELPER]);
      expect(narrower.delegation.purpose).toBe("review CHG-1");
    }
    // github_read_pr is in the parent's scope but not in helper's registration; slack is in neither.
    expect(plan(root, HELPER, "tool:jira_read tool:github_read_pr", { purpose: undefined })).toMatchObject({
      ok: false,
      error: "invalid_scope",
    });
    const wider = plan(root, HELPER, "tool:jira_read tool:slack_post_message", { purpose: undefined });
    expect(!wider.ok && wider.message).toContain("widens the delegator's: tool:slack_post_message");
    expect(plan(root, HELPER, "tool:jira_read", { purpose: "something else" })).toMatchObject({
      ok: false,
      error: "invalid_request",
    });
    // The sub-delegation cannot outlive the root delegation either.
    expect(plan(root, HELPER, "tool:jira_read", { purpose: undefined, expiresIn: 3600 })).toMatchObject({
      ok: false,
      error: "invalid_request",
    });
  });

  it("refuses loops and chains deeper than the limit", () => {
    const root = delegated(plan(fromUser, REVIEWER, "tool:jira_read"));
    expect(plan(root, REVIEWER, "tool:jira_read", { purpose: undefined })).toMatchObject({ ok: false });
    const deep = { ...LIMITS, maxDepth: 1 };
    const result = planDelegation(
      policyWith(),
      WORKFLOWS,
      root,
      { actor: HELPER, scope: scope("tool:jira_read") },
      NOW,
      deep,
    );
    expect(result).toMatchObject({ ok: false, error: "invalid_request" });
  });

  it("refuses when the kill switch disables the user or an agent of the chain", () => {
    const userOff = policyWith({ kill_switch: { disabled_users: ["dev@zyx.example"] } });
    expect(plan(fromUser, REVIEWER, "tool:jira_read", {}, userOff)).toMatchObject({
      ok: false,
      error: "invalid_grant",
    });
    const agentOff = policyWith({ kill_switch: { disabled_users: ["reviewer"] } });
    const result = plan(fromUser, REVIEWER, "tool:jira_read", {}, agentOff);
    expect(!result.ok && result.message).toBe(REASONS.agentDisabled);
  });

  it("computes the user's scope from the policy's groups and accounts", () => {
    expect(userScope(policyWith(), USER, WORKFLOWS)).toEqual({
      tools: ["aws_dev_read", "github_read_pr", "jira_read", "slack_post_message"],
      workflows: ["change_review"],
      accounts: ["development", "staging"],
    });
  });
});

describe("the gateway authorizes the intersection of the chain", () => {
  const policy = policyWith();
  const root = delegated(
    plan(fromUser, REVIEWER, "tool:jira_read tool:aws_dev_read account:development workflow:change_review"),
  );
  const sub = delegated(plan(root, HELPER, "tool:jira_read workflow:change_review", { purpose: undefined }));

  it("allows what every identity allows", () => {
    expect(
      decide(policy, { principal: sub.principal, tool: "jira_read", workflow: "change_review" }).allowed,
    ).toBe(true);
  });

  it("refuses a tool the user may use but the delegation does not grant", () => {
    const d = decide(policy, {
      principal: sub.principal,
      tool: "aws_dev_read",
      args: { account: "development" },
    });
    expect(d.reasons).toContain(REASONS.toolOutsideDelegation);
    expect(d.reasons).toContain(REASONS.toolOutsideAgentScope);
  });

  it("refuses an account and a workflow outside the delegation", () => {
    const d = decide(policy, {
      principal: root.principal,
      tool: "aws_dev_read",
      args: { account: "staging" },
    });
    expect(d.reasons).toContain(REASONS.accountOutsideDelegation);
    const w = decide(policy, { principal: root.principal, tool: "jira_read", workflow: "incident_response" });
    expect(w.reasons).toContain(REASONS.workflowOutsideDelegation);
  });

  it("applies a shrunken registration to delegations already issued", () => {
    const shrunk = compilePolicy(
      PolicyFileSchema.parse({
        ...policy.source,
        agents: { reviewer: { ...policy.source.agents.reviewer, tools: ["github_read_pr"] } },
      }),
      "1".repeat(64),
    );
    const d = decide(shrunk, { principal: root.principal, tool: "jira_read" });
    expect(d.reasons).toEqual([REASONS.toolOutsideAgentScope]);
  });

  it("refuses when the runtime kill switch names an agent of the chain", () => {
    const d = decide(policy, {
      principal: sub.principal,
      tool: "jira_read",
      runtimeKillSwitch: { ...policy.killSwitch, disabledUsers: new Set([HELPER]) },
    });
    expect(d.reasons).toContain(REASONS.agentDisabled);
  });

  it("still applies the user's own groups and device posture", () => {
    const noDevice = { ...sub.principal, deviceCompliant: false };
    expect(decide(policy, { principal: noDevice, tool: "jira_read" }).reasons).toEqual([
      REASONS.deviceNotCompliant,
    ]);
  });
});

describe("policy agents section", () => {
  it("refuses an agent naming an undefined tool and two agents sharing an identity", () => {
    const bad = PolicyFileSchema.safeParse({
      version: "t",
      tools: { jira_read: {} },
      agents: {
        a: { identity: HELPER, owner: "x", tools: ["nope"] },
        b: { identity: HELPER, owner: "x" },
      },
    });
    expect(bad.success).toBe(false);
    const messages = bad.error?.issues.map((i) => i.message) ?? [];
    expect(messages).toContain("tool nope is not defined in tools");
    expect(messages).toContain("identity is already agent a's");
  });

  it("refuses identities that are neither SPIFFE IDs nor OAuth clients", () => {
    const bad = PolicyFileSchema.safeParse({
      version: "t",
      tools: {},
      agents: { a: { identity: "robot@zyx.example", owner: "x" } },
    });
    expect(bad.success).toBe(false);
  });
});

describe("inventory", () => {
  it("lists registered agents and agents holding delegations, with status and last use", () => {
    const base = {
      parent_id: null,
      subject: "dev@zyx.example",
      scope: scope("tool:jira_read"),
      purpose: "p",
      issued_at: "2026-01-01T00:00:00.000Z",
      uses: 1,
    };
    const inventory = buildInventory(
      policyWith(),
      [
        {
          ...base,
          id: "a",
          agent: REVIEWER,
          chain: [REVIEWER],
          expires_at: "2026-01-01T01:00:00.000Z",
          revoked_at: null,
          last_used_at: "2026-01-01T00:10:00.000Z",
        },
        {
          ...base,
          id: "b",
          agent: REVIEWER,
          chain: [REVIEWER],
          expires_at: "2025-01-01T00:00:00.000Z",
          revoked_at: null,
          last_used_at: "2026-01-01T00:20:00.000Z",
        },
        {
          ...base,
          id: "c",
          agent: ROGUE,
          chain: [ROGUE],
          expires_at: "2026-01-01T01:00:00.000Z",
          revoked_at: "2026-01-01T00:30:00.000Z",
          last_used_at: null,
        },
      ],
      new Date("2026-01-01T00:30:00.000Z"),
    );
    expect(inventory.map((a) => [a.identity, a.name, a.active_delegations])).toEqual([
      [HELPER, "helper", 0],
      [ROGUE, null, 0],
      [REVIEWER, "reviewer", 1],
    ]);
    const reviewer = inventory.find((a) => a.identity === REVIEWER)!;
    expect(reviewer.last_used_at).toBe("2026-01-01T00:20:00.000Z");
    expect(reviewer.delegations.map((d) => d.status)).toEqual(["active", "expired"]);
    expect(inventory.find((a) => a.identity === ROGUE)!.delegations[0]!.status).toBe("revoked");
  });
});
