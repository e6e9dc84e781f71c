import type { AwsCaller } from "./auth.js";
import { describeSecurityGroups } from "./ec2-describe.js";
import { authorizeSecurityGroupIngress, revokeSecurityGroupIngress } from "./ec2-ingress.js";
import { AwsFault } from "./errors.js";
import type { AwsState, IssuedSession, SimAccount } from "./model.js";
import { actionAllowed } from "./policy.js";
import type { QueryParams } from "./query.js";

/** EC2 2016-11-15 (ec2Query): the security-group actions Bridle uses, in the caller's account. */

export const EC2_VERSION = "2016-11-15";

const ACTIONS: Record<string, typeof describeSecurityGroups> = {
  DescribeSecurityGroups: describeSecurityGroups,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
  RevokeSecurityGroupIngress: revokeSecurityGroupIngress,
};

export interface Ec2Context {
  state: AwsState;
  caller: AwsCaller;
  requestId: string;
  region: string;
}

function unauthorized(principal: string, action: string): AwsFault {
  return new AwsFault(
    "UnauthorizedOperation",
    `You are not authorized to perform this operation. User: ${principal} is not authorized to perform: ec2:${action} because no identity-based policy allows the ec2:${action} action`,
    403,
  );
}

/**
 * Only assumed-role sessions reach EC2: the gateway's long-term key has no EC2 permission at all,
 * which is what proves a connector really assumed a role. The role's identity policy then
 * decides the action. (The session policy is stored with the session; enforcing it is the
 * next step and belongs here.)
 */
function authorizedAccount(ctx: Ec2Context, action: string): SimAccount {
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
  return account;
}

export function handleEc2(action: string, params: QueryParams, ctx: Ec2Context): string {
  const handler = ACTIONS[action];
  if (!handler)
    throw new AwsFault("InvalidAction", `The action ${action} is not valid for this web service.`, 400);
  const account = authorizedAccount(ctx, action);
  return handler(params, { account, region: ctx.region, requestId: ctx.requestId });
}
