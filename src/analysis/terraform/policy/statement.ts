import { asItems, entry, field, type HclValue } from "../hcl/value.js";

/** A string from a policy with the line it was written on. */
export interface LocatedString {
  value: string;
  line: number;
}

export interface Principal {
  /** `*` for `"Principal": "*"`, otherwise the key: AWS, Service, Federated, CanonicalUser. */
  type: string;
  value: string;
  line: number;
}

/**
 * One IAM policy statement, whichever way it was written (JSON, jsonencode, or an
 * `aws_iam_policy_document` block). Values we could not read are left out, never guessed.
 */
export interface PolicyStatement {
  line: number;
  /** undefined when the effect is not a literal (or missing in JSON, which AWS rejects). */
  effect: "Allow" | "Deny" | undefined;
  actions: LocatedString[];
  notActions: LocatedString[];
  resources: LocatedString[];
  principals: Principal[];
  hasCondition: boolean;
}

/** Statements of a JSON-shaped policy document; empty when the value is not one. */
export function statementsOfDocument(document: HclValue | undefined): PolicyStatement[] {
  const statements = field(document, "Statement");
  if (!statements) return [];
  return asItems(statements)
    .filter((s) => s.kind === "object")
    .map(statementOfJson);
}

export function isPolicyDocument(value: HclValue | undefined): boolean {
  return entry(value, "Statement") !== undefined;
}

function statementOfJson(statement: HclValue): PolicyStatement {
  const effect = field(statement, "Effect");
  return {
    line: statement.line,
    effect: normalizeEffect(effect?.kind === "string" ? effect.value : undefined),
    actions: strings(field(statement, "Action")),
    notActions: strings(field(statement, "NotAction")),
    resources: strings(field(statement, "Resource")),
    principals: principalsOfJson(field(statement, "Principal")),
    hasCondition: entry(statement, "Condition") !== undefined,
  };
}

export function normalizeEffect(effect: string | undefined): "Allow" | "Deny" | undefined {
  const lowered = effect?.toLowerCase();
  if (lowered === "allow") return "Allow";
  if (lowered === "deny") return "Deny";
  return undefined;
}

/** Known string items of a string-or-list value; unknown items are skipped. */
export function strings(value: HclValue | undefined): LocatedString[] {
  return asItems(value).flatMap((item) =>
    item.kind === "string" ? [{ value: item.value, line: item.line }] : [],
  );
}

function principalsOfJson(value: HclValue | undefined): Principal[] {
  if (!value) return [];
  if (value.kind === "string")
    return [{ type: value.value === "*" ? "*" : "AWS", value: value.value, line: value.line }];
  if (value.kind !== "object") return [];
  return value.entries.flatMap((e) =>
    strings(e.value).map((s) => ({ type: e.key, value: s.value, line: s.line })),
  );
}
