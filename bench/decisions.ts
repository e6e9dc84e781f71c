import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../src/config/paths.js";
import { type DecisionInput, decide } from "../src/core/policy/gateway.js";
import { parsePolicy } from "../src/core/policy/parse.js";

export interface DecisionBench {
  decisionsPerSec: number;
  mapLookupsPerSec: number;
  ratio: number;
  iterations: number;
}

/**
 * Full-semantics decisions (kill switch, groups, device, argument controls) over a mix of
 * inputs, next to the floor of any decision: a Map lookup plus a boolean, in the same process.
 */
export function benchDecisions(iterations = 3_000_000): DecisionBench {
  const parsed = parsePolicy(readFileSync(join(packageRoot(), "policies/tool_policies.yaml"), "utf8"));
  if (!parsed.ok) throw new Error("reference policy does not parse");
  const policy = parsed.policy;
  const principal = (groups: string[], device = true) => ({
    email: "engineer@zyxbank.example",
    groups,
    deviceCompliant: device,
    authenticatedBy: "cli" as const,
  });
  const inputs: DecisionInput[] = [
    { principal: principal(["grp-ai-devops-readonly"]), tool: "jira_read" },
    { principal: principal(["grp-ai-users"]), tool: "github_read_pr" },
    { principal: principal(["grp-ai-devops-readonly"], false), tool: "confluence_read" },
    {
      principal: principal(["grp-ai-devops-readonly"]),
      tool: "aws_dev_read",
      args: { account: "development" },
    },
    {
      principal: principal(["grp-ai-devops-readonly"]),
      tool: "slack_post_message",
      args: { channel: "general" },
    },
    {
      principal: principal(["grp-ai-cloud-change-reviewers"]),
      tool: "aws_modify_security_group",
      args: { account: "production", change_ticket: "CHG-1", rollback_plan: "" },
      workflow: "change_review",
    },
    { principal: principal(["grp-ai-devops-readonly"]), tool: "execute_shell" },
  ];
  const tools = inputs.map((i) => i.tool);
  const map = new Map<string, boolean>([...policy.tools.keys()].map((k) => [k, true]));

  const run = (fn: (i: number) => boolean) => {
    let sink = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) if (fn(i)) sink++;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (sink < 0) throw new Error("unreachable");
    return iterations / seconds;
  };
  // Warm both paths so the JIT has compiled them before either is timed.
  run((i) => decide(policy, inputs[i % inputs.length] as DecisionInput).allowed);
  run((i) => map.get(tools[i % tools.length] as string) === true);
  const decisionsPerSec = run((i) => decide(policy, inputs[i % inputs.length] as DecisionInput).allowed);
  const mapLookupsPerSec = run((i) => map.get(tools[i % tools.length] as string) === true);
  return { decisionsPerSec, mapLookupsPerSec, ratio: decisionsPerSec / mapLookupsPerSec, iterations };
}
