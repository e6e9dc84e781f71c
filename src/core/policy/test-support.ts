import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../config/paths.js";
import type { Principal } from "../principal.js";
import type { CompiledPolicy } from "./compile.js";
import { parsePolicy } from "./parse.js";

/** The shipped reference policy, parsed; fails loudly if it ever stops parsing. */
export function referencePolicy(): CompiledPolicy {
  return policyFromText(readFileSync(join(packageRoot(), "policies/tool_policies.yaml"), "utf8"));
}

export function policyFromText(text: string): CompiledPolicy {
  const result = parsePolicy(text);
  if (!result.ok) throw new Error(`policy does not parse: ${JSON.stringify(result.problems)}`);
  return result.policy;
}

export function user(overrides: Partial<Principal> = {}): Principal {
  return {
    email: "engineer@zyxbank.example",
    groups: ["grp-ai-users", "grp-ai-devops-readonly"],
    deviceCompliant: true,
    authenticatedBy: "dev-headers",
    ...overrides,
  };
}
