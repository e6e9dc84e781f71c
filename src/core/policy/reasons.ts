/**
 * Every reason string a decision can carry. The first eight are the reference's, word for word:
 * tests, dashboards and SIEM rules match on them.
 */
export const REASONS = {
  userDisabled: "user disabled by kill switch",
  connectorDisabled: "connector disabled by kill switch",
  allWritesDisabled: "all write tools disabled by kill switch",
  readOnly: "agent is in read-only mode",
  toolUndefined: "tool is not defined in policy",
  groupNotAllowed: "user does not belong to an allowed group",
  deviceNotCompliant: "device is not compliant",
  authorized: "authorized",
  // Bridle: controls the reference declared but did not enforce.
  workflowDisabled: "workflow disabled by kill switch",
  accountNotAllowed: "account is not in allowed_accounts",
  productionNotAllowed: "production is not allowed for this tool",
  channelNotAllowed: "channel is not in allowed_channels",
  changeTicketRequired: "change ticket is required",
  changeTicketNotFound: "change ticket does not exist",
  rollbackPlanRequired: "rollback plan is required",
  // Bridle: agents and delegation chains (an agent acting for a human).
  agentDisabled: "agent disabled by kill switch",
  agentNotRegistered: "agent is not registered in policy",
  toolOutsideAgentScope: "tool is outside the agent's scope",
  toolOutsideDelegation: "tool is outside the delegated scope",
  workflowOutsideDelegation: "workflow is outside the delegated scope",
  accountOutsideDelegation: "account is outside the delegated scope",
  // Bridle: rate limits, circuit breakers and blast-radius caps (counters read from the store).
  rateLimited: "rate limit exceeded",
  breakerOpen: "circuit breaker open",
  blastRadiusExceeded: "blast radius exceeded",
} as const;

export type Reason = (typeof REASONS)[keyof typeof REASONS];
