import type { SecurityGroupChangeArgs } from "../../src/core/changes/security-group.js";
import type { Sandbox } from "../../src/sandbox/server.js";

/** The seeded development bastion, which exposes SSH to the world: the scenario Bridle exists for. */
export const BASTION_SG = "sg-0a1b2c3d4e5f60001";

/** `aws_modify_security_group` arguments that close that SSH rule. */
export const CLOSE_SSH = {
  account: "development",
  security_group_id: BASTION_SG,
  operation: "revoke_ingress",
  protocol: "tcp",
  from_port: 22,
  to_port: 22,
  cidr: "0.0.0.0/0",
  change_ticket: "CHG-18422",
  rollback_plan: "authorize tcp/22 from 0.0.0.0/0 again",
} satisfies SecurityGroupChangeArgs;

/** Whether the bastion's SSH rule is open in the sandbox right now. */
export function sshOpen(sandbox: Sandbox): boolean {
  return sandbox.state.aws.accounts
    .find((a) => a.name === "development")!
    .securityGroups.find((g) => g.groupId === BASTION_SG)!
    .ingress.some((r) => r.protocol === "tcp" && r.fromPort === 22 && r.cidrIpv4 === "0.0.0.0/0");
}
