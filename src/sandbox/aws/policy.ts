import { AwsFault } from "./errors.js";
import type { PolicyStatement, SessionPolicyDocument } from "./model.js";

/**
 * IAM policy documents as the simulator needs them: parsing a session policy sent to AssumeRole
 * (rejecting what IAM rejects, with IAM's error code) and matching actions against `*` patterns.
 */

const malformed = (message: string) => new AwsFault("MalformedPolicyDocument", message, 400);

const ACTION_PATTERN = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;

export function parseSessionPolicy(text: string): SessionPolicyDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw malformed("The policy is not in the valid JSON format.");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw malformed("Syntax errors in policy.");
  const doc = raw as Record<string, unknown>;
  if (doc.Version !== undefined && doc.Version !== "2012-10-17" && doc.Version !== "2008-10-17") {
    throw malformed("The policy must contain a valid version string");
  }
  const statements = Array.isArray(doc.Statement)
    ? doc.Statement
    : doc.Statement === undefined
      ? []
      : [doc.Statement];
  if (statements.length === 0) throw malformed("Syntax errors in policy.");
  return {
    ...(typeof doc.Version === "string" ? { Version: doc.Version } : {}),
    Statement: statements.map(checkStatement),
  };
}

function checkStatement(value: unknown): PolicyStatement {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw malformed("Syntax errors in policy.");
  const s = value as Record<string, unknown>;
  if (s.Effect !== "Allow" && s.Effect !== "Deny")
    throw malformed("Policy statement must contain a valid effect.");
  const actions = s.Action ?? s.NotAction;
  if (actions === undefined) throw malformed("Policy statement must contain actions.");
  if (!stringOrList(actions) || !asList(actions).every((a) => ACTION_PATTERN.test(a))) {
    throw malformed("Policy statement contains an invalid action.");
  }
  const resources = s.Resource ?? s.NotResource;
  if (resources === undefined) throw malformed("Policy statement must contain resources.");
  if (!stringOrList(resources)) throw malformed("Syntax errors in policy.");
  return s as unknown as PolicyStatement;
}

function stringOrList(value: unknown): value is string | string[] {
  return typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"));
}

export function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** IAM wildcard match: `*` any run of characters, `?` one; action names compare case-insensitively. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, caseInsensitive ? "i" : "").test(value);
}

export function actionAllowed(allowedActions: string[], action: string): boolean {
  return allowedActions.some((pattern) => wildcardMatch(pattern, action, true));
}

/**
 * How a session policy judges one request, as IAM evaluates a policy: an explicit Deny wins, then
 * any Allow; otherwise the request is implicitly denied. A statement with a Condition is not
 * evaluated by the simulator: it is taken to apply when it denies and not to when it allows, so
 * an unmodelled condition can only ever narrow what a session may do.
 */
export type PolicyVerdict = "allow" | "explicit-deny" | "implicit-deny";

export function evaluatePolicy(
  document: SessionPolicyDocument,
  action: string,
  resource: string,
): PolicyVerdict {
  const applies = (s: PolicyStatement) => matchesAction(s, action) && matchesResource(s, resource);
  const statements = document.Statement.filter(applies);
  if (statements.some((s) => s.Effect === "Deny")) return "explicit-deny";
  if (statements.some((s) => s.Effect === "Allow" && s.Condition === undefined)) return "allow";
  return "implicit-deny";
}

function matchesAction(statement: PolicyStatement, action: string): boolean {
  if (statement.Action !== undefined) return actionAllowed(asList(statement.Action), action);
  return !actionAllowed(asList(statement.NotAction), action);
}

/** `resource` is an ARN, or `*` for actions without resource-level permissions (Describe*). */
function matchesResource(statement: PolicyStatement, resource: string): boolean {
  const matches = (patterns: string[]) => patterns.some((pattern) => wildcardMatch(pattern, resource));
  if (statement.Resource !== undefined) return matches(asList(statement.Resource));
  return !matches(asList(statement.NotResource));
}
