import type { Configuration } from "../config/configuration.js";
import type { PolicyDocument } from "../policy/documents.js";
import type { LocatedString, PolicyStatement } from "../policy/statement.js";
import { IAM_WILDCARD } from "../rules.js";
import { makeHit, type RuleHit } from "./hit.js";

/** `*`, `*:*` or `service:*`: every action, or every action of a service. */
export function isWildcardAction(action: string): boolean {
  return action === "*" || /^[\w*-]+:\*$/.test(action);
}

/** Whether an action pattern (IAM globs `*` and `?`, case-insensitive) covers `target`. */
export function actionCovers(pattern: string, target: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${source}$`, "i").test(target);
}

/** A trust-policy principal that lets anyone, or every principal of an account, assume the role. */
export function isBroadPrincipal(principal: { type: string; value: string }): boolean {
  if (principal.type === "*" || principal.value === "*") return true;
  if (principal.type !== "AWS") return false;
  return /^arn:aws[a-z-]*:iam::(\d{12}:)?root$/i.test(principal.value) || /^\d{12}$/.test(principal.value);
}

export function checkIamPolicies(config: Configuration, documents: PolicyDocument[]): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const document of documents) {
    for (const statement of document.statements) {
      if (statement.effect !== "Allow") continue; // Deny narrows access; unknown effects are not guessed
      hits.push(...wildcardHits(config, document, statement));
      hits.push(...passRoleHits(config, document, statement));
      hits.push(...notActionHits(config, document, statement));
      if (document.trust) hits.push(...trustHits(config, document, statement));
    }
  }
  return hits;
}

function site(document: PolicyDocument, line: number, aspects: string[], detail?: string) {
  return { resource: document.address, file: document.owner.file, line, aspects, detail };
}

/** One finding per source line holding wildcard actions, so a list on one line is one finding. */
function wildcardHits(
  config: Configuration,
  document: PolicyDocument,
  statement: PolicyStatement,
): RuleHit[] {
  const byLine = groupByLine(statement.actions.filter((a) => isWildcardAction(a.value)));
  const allResources = statement.resources.some((r) => r.value === "*");
  return [...byLine].map(([line, actions]) => {
    const aspects = ["iam.wildcard_action"];
    if (allResources && actions.some((a) => a.value === "*")) aspects.push("iam.full_admin");
    if (!statement.hasCondition) aspects.push("iam.unconditioned");
    if (allResources && actions.some((a) => actionCovers(a.value, "iam:PassRole")))
      aspects.push("iam.passrole_all");
    // Say which actions only when the line does not show them (a list item, a variable default).
    const shown = config.sourceLine(document.owner.file, line);
    const names = actions.map((a) => a.value);
    const detail = names.every((n) => shown.includes(n)) ? undefined : `Allow ${names.join(", ")}`;
    return makeHit(config, IAM_WILDCARD, site(document, line, aspects, detail));
  });
}

/** `iam:PassRole` on every resource lets the holder hand any role, admin included, to a service. */
function passRoleHits(
  config: Configuration,
  document: PolicyDocument,
  statement: PolicyStatement,
): RuleHit[] {
  if (!statement.resources.some((r) => r.value === "*")) return [];
  const explicit = statement.actions.filter(
    (a) => !isWildcardAction(a.value) && actionCovers(a.value, "iam:PassRole"),
  );
  return [...groupByLine(explicit)].map(([line]) =>
    makeHit(config, IAM_WILDCARD, site(document, line, ["iam.passrole_all"], 'iam:PassRole on Resource "*"')),
  );
}

/** Allow + NotAction grants every action except the listed ones: a wildcard by another name. */
function notActionHits(
  config: Configuration,
  document: PolicyDocument,
  statement: PolicyStatement,
): RuleHit[] {
  const first = statement.notActions[0];
  if (!first) return [];
  const detail = "Allow with NotAction grants every other action";
  return [makeHit(config, IAM_WILDCARD, site(document, first.line, ["iam.not_action"], detail))];
}

function trustHits(config: Configuration, document: PolicyDocument, statement: PolicyStatement): RuleHit[] {
  // A condition (ExternalId, PrincipalOrgID, MFA) is how a broad trust is legitimately narrowed.
  if (statement.hasCondition) return [];
  return statement.principals
    .filter(isBroadPrincipal)
    .map((p) =>
      makeHit(
        config,
        IAM_WILDCARD,
        site(
          document,
          p.line,
          ["iam.trust_any_principal"],
          `role assumable by ${p.value} without a condition`,
        ),
      ),
    );
}

function groupByLine(items: LocatedString[]): Map<number, LocatedString[]> {
  const byLine = new Map<number, LocatedString[]>();
  for (const item of items) byLine.set(item.line, [...(byLine.get(item.line) ?? []), item]);
  return byLine;
}
