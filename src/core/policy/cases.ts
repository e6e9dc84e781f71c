import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { CompiledPolicy } from "./compile.js";
import { decide } from "./gateway.js";

/**
 * Policy unit tests an author writes next to a policy change: each case names a principal, a
 * tool and its arguments, and the decision expected. `bridle policy test` runs them.
 */
const CaseSchema = z
  .object({
    name: z.string().min(1),
    principal: z
      .object({
        email: z.string().min(1),
        groups: z.array(z.string()).default([]),
        device_compliant: z.boolean().default(false),
      })
      .strict(),
    tool: z.string().min(1),
    args: z.record(z.string(), z.unknown()).optional(),
    workflow: z.string().optional(),
    facts: z.object({ change_ticket_exists: z.boolean().optional() }).strict().optional(),
    expect: z
      .object({
        allowed: z.boolean(),
        reason: z.string().optional(),
        reasons: z.array(z.string()).optional(),
        approval_required: z.boolean().optional(),
      })
      .strict(),
  })
  .strict();

export const PolicyCasesSchema = z
  .object({
    /** Policy file to test, relative to the cases file; defaults to the configured policy. */
    policy: z.string().optional(),
    cases: z.array(CaseSchema).min(1),
  })
  .strict();

export type PolicyCases = z.infer<typeof PolicyCasesSchema>;
export type PolicyCase = z.infer<typeof CaseSchema>;

export interface CaseResult {
  name: string;
  passed: boolean;
  /** One line per expectation that did not hold. */
  mismatches: string[];
}

export function parsePolicyCases(
  text: string,
): { ok: true; cases: PolicyCases } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    return { ok: false, error: `YAML syntax: ${(error as Error).message.split("\n")[0]}` };
  }
  const parsed = PolicyCasesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue?.path.join(".") || "(root)"}: ${issue?.message}` };
  }
  return { ok: true, cases: parsed.data };
}

export function runPolicyCase(policy: CompiledPolicy, testCase: PolicyCase): CaseResult {
  const decision = decide(policy, {
    principal: {
      email: testCase.principal.email,
      groups: testCase.principal.groups,
      deviceCompliant: testCase.principal.device_compliant,
      authenticatedBy: "cli",
    },
    tool: testCase.tool,
    ...(testCase.args ? { args: testCase.args } : {}),
    ...(testCase.workflow ? { workflow: testCase.workflow } : {}),
    facts: { changeTicketExists: testCase.facts?.change_ticket_exists },
  });
  const mismatches: string[] = [];
  const expected = testCase.expect;
  const check = (key: string, want: unknown, got: unknown) => {
    if (want !== undefined && JSON.stringify(want) !== JSON.stringify(got)) {
      mismatches.push(`${key}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    }
  };
  check("allowed", expected.allowed, decision.allowed);
  check("reason", expected.reason, decision.reason);
  check("reasons", expected.reasons, decision.reasons);
  check("approval_required", expected.approval_required, decision.approval_required);
  return { name: testCase.name, passed: mismatches.length === 0, mismatches };
}
