import type { AwsCaller } from "./auth.js";
import { describeSecurityGroups } from "./ec2-describe.js";
import { authorizeSecurityGroupIngress, revokeSecurityGroupIngress } from "./ec2-ingress.js";
import { securityGroupArn } from "./ec2-xml.js";
import { AwsFault } from "./errors.js";
import type { AwsState, IssuedSession, SimAccount } from "./model.js";
import { actionAllowed, evaluatePolicy } from "./policy.js";
import type { QueryParams } from "./query.js";

/** EC2 2016-11-15 (ec2Query): the security-group actions Bridle uses, in the caller's account. */

export const EC2_VERSION = "2016-11-15";

const ACTIONS: Record<string, typeof describeSecurityGroups> = {
  DescribeSecurityGroups: describeSecurityGroups,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
  RevokeSecurityGroupIngress: revokeSecurityGroupIngress,
};

/** Actions whose IAM resource is the target security group; Describe* take only `*`. */
const GROUP_SCOPED = new Set(["AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"]);

export interface Ec2Context {
  state: AwsState;
  caller: AwsCaller;
  requestId: string;
  region: string;
}

function unauthorized(principal: string, action: string, why?: string): AwsFault {
  return new AwsFault(
    "UnauthorizedOperation",
    `You are not authorized to perform this operation. User: ${principal} is not authorized to perform: ec2:${action}${why ?? ` because no identity-based policy allows the ec2:${action} action`}`,
    403,
  );
}

/**
 * The IAM resource a request acts on. For a group-scoped action it is the group's ARN, built
 * from the id the caller named (or the group it named, when it exists), so a group the caller
 * may not touch is refused before its existence is revealed.
 */
function resourceOf(action: string, params: QueryParams, account: SimAccount, region: string): string {
  if (!GROUP_SCOPED.has(action)) return "*";
  const groupId =
    params.GroupId ?? account.securityGroups.find((g) => g.groupName === params.GroupName)?.groupId;
  return groupId === undefined ? "*" : securityGroupArn(region, account.accountId, groupId);
}

/**
 * Only assumed-role sessions reach EC2: the gateway's long-term key has no EC2 permission at all,
 * which is what proves a connector really assumed a role. The role's identity policy must allow
 * the action, and so must the session policy sent to AssumeRole (when one was): the session's
 * permissions are the intersection of the two, as in IAM.
 */
function authorizedAccount(ctx: Ec2Context, action: string, params: QueryParams): SimAccount {
  if (ctx.caller.kind === "gateway") {
    throw unauthorized(
      `arn:aws:iam::${ctx.state.gateway.accountId}:user/${ctx.state.gateway.userName}`,
      action,
    );
  }
  const session: IssuedSession = ctx.caller.session;
  const account = ctx.state.accounts.find((a) => a.accountId === session.accountId);
  const role = account?.roles.find((r) => r.name === session.roleName);
  if (!account || !role || !actionAllowed(role.allowedActions, `ec2:${action}`)) {
    throw unauthorized(session.assumedRoleArn, action);
  }
  if (session.parsedPolicy !== null) {
    const resource = resourceOf(action, params, account, ctx.region);
    const verdict = evaluatePolicy(session.parsedPolicy, `ec2:${action}`, resource);
    if (verdict !== "allow") {
      const why =
        verdict === "explicit-deny"
          ? ` on resource: ${resource} with an explicit deny in a session policy`
          : ` on resource: ${resource} because no session policy allows the ec2:${action} action`;
      throw unauthorized(session.assumedRoleArn, action, why);
    }
  }
  return account;
}

export function handleEc2(action: string, params: QueryParams, ctx: Ec2Context): string {
  const handler = ACTIONS[action];
  if (!handler)
    throw new AwsFault("InvalidAction", `The action ${action} is not valid for this web service.`, 400);
  const account = authorizedAccount(ctx, action, params);
  return handler(params, { account, region: ctx.region, requestId: ctx.requestId });
}
