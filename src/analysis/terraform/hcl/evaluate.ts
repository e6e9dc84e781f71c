import { lineOf, type SyntaxNode } from "./parser.js";
import { unescapeMarkers, unescapeQuoted } from "./strings.js";
import { type HclValue, type ObjectEntry, unknownAt } from "./value.js";

/** Where `var.*` and `local.*` come from; returns undefined when the name has no known value. */
export interface Resolver {
  variable(name: string, atLine: number): HclValue | undefined;
  local(name: string, atLine: number): HclValue | undefined;
}

export const NO_RESOLVER: Resolver = { variable: () => undefined, local: () => undefined };

/** Functions whose result, for our purposes, is their first argument's value. */
const PASS_THROUGH = new Set(["jsonencode", "tolist", "toset", "tomap", "tostring", "tonumber", "tobool"]);

/**
 * Evaluates an HCL expression statically. `lineOffset` shifts reported lines when the node comes
 * from text cut out of a file (a heredoc body parsed on its own).
 */
export function evaluate(node: SyntaxNode, resolver: Resolver, lineOffset = 0): HclValue {
  const line = lineOf(node, lineOffset);
  switch (node.type) {
    case "expression":
      return evaluateExpression(node, resolver, lineOffset);
    case "literal_value":
      return evaluateLiteral(node, line);
    case "template_expr":
    case "collection_value":
      return node.namedChildren[0] ? evaluate(node.namedChildren[0], resolver, lineOffset) : unknownAt(line);
    case "quoted_template":
      return evaluateQuotedTemplate(node, resolver, lineOffset);
    case "heredoc_template":
      return evaluateHeredoc(node, lineOffset);
    case "tuple":
      return evaluateTuple(node, resolver, lineOffset);
    case "object":
      return evaluateObject(node, resolver, lineOffset);
    case "function_call":
      return evaluateCall(node, resolver, lineOffset);
    case "operation":
      return evaluateOperation(node, resolver, lineOffset);
    case "variable_expr":
      return evaluateTraversal(node, [], resolver, lineOffset);
    default:
      return unknownAt(line);
  }
}

function evaluateExpression(node: SyntaxNode, resolver: Resolver, lineOffset: number): HclValue {
  const [primary, ...postfix] = node.namedChildren;
  if (!primary) return unknownAt(lineOf(node, lineOffset));
  if (postfix.length === 0) return evaluate(primary, resolver, lineOffset);
  if (primary.type === "variable_expr") return evaluateTraversal(primary, postfix, resolver, lineOffset);
  return applyPostfix(evaluate(primary, resolver, lineOffset), postfix);
}

function evaluateLiteral(node: SyntaxNode, line: number): HclValue {
  const inner = node.namedChildren[0];
  switch (inner?.type) {
    case "numeric_lit":
      return Number.isFinite(Number(inner.text))
        ? { kind: "number", value: Number(inner.text), line }
        : unknownAt(line);
    case "bool_lit":
      return { kind: "bool", value: inner.text === "true", line };
    case "null_lit":
      return { kind: "null", line };
    case "string_lit": {
      const raw = inner.namedChildren.find((c) => c.type === "template_literal")?.text ?? "";
      const value = unescapeQuoted(raw);
      return { kind: "string", value, line, doc: { text: value, firstLine: line } };
    }
    default:
      return unknownAt(line);
  }
}

/** `var.x.y`, `local.x`, or a reference we keep as a path (`aws_s3_bucket.logs.id`). */
function evaluateTraversal(
  root: SyntaxNode,
  postfix: SyntaxNode[],
  resolver: Resolver,
  lineOffset: number,
): HclValue {
  const line = lineOf(root, lineOffset);
  const head = root.text;
  const first = postfix[0];
  const firstName = first?.type === "get_attr" ? first.namedChildren[0]?.text : undefined;
  if ((head === "var" || head === "local") && firstName) {
    const resolved = head === "var" ? resolver.variable(firstName, line) : resolver.local(firstName, line);
    return resolved ? applyPostfix(resolved, postfix.slice(1)) : unknownAt(line);
  }
  const path = [head];
  for (const step of postfix) {
    if (step.type !== "get_attr") continue; // indexes and splats do not change which resource is meant
    path.push(step.namedChildren[0]?.text ?? "");
  }
  return { kind: "ref", path, line };
}

/** Follows `.name` steps into a known object; anything else makes the value unknown. */
function applyPostfix(value: HclValue, postfix: SyntaxNode[]): HclValue {
  let current = value;
  for (const step of postfix) {
    const name = step.type === "get_attr" ? step.namedChildren[0]?.text : undefined;
    if (current.kind !== "object" || name === undefined) return unknownAt(current.line);
    const found = current.entries.find((e) => e.key === name);
    if (!found) return unknownAt(current.line);
    current = found.value;
  }
  return current;
}

function evaluateQuotedTemplate(node: SyntaxNode, resolver: Resolver, lineOffset: number): HclValue {
  const line = lineOf(node, lineOffset);
  let value = "";
  let docText = "";
  let known = true;
  for (const part of node.namedChildren) {
    if (part.type === "template_literal") {
      const text = unescapeQuoted(part.text);
      value += text;
      docText += text;
    } else if (part.type === "template_interpolation") {
      docText += part.text;
      const inner = part.namedChildren.find((c) => c.type === "expression");
      const resolved = inner ? evaluate(inner, resolver, lineOffset) : undefined;
      if (
        resolved &&
        (resolved.kind === "string" || resolved.kind === "number" || resolved.kind === "bool")
      ) {
        value += String(resolved.value);
      } else {
        known = false;
      }
    } else if (part.type === "template_directive") {
      docText += part.text;
      known = false;
    }
  }
  const doc = { text: docText, firstLine: line };
  return known ? { kind: "string", value, line, doc } : { kind: "template", line, doc };
}

/**
 * A heredoc's body is the text between the opener line and the closing marker. We read it from
 * the source rather than from the parts so that the embedded document keeps its exact layout.
 */
function evaluateHeredoc(node: SyntaxNode, lineOffset: number): HclValue {
  const line = lineOf(node, lineOffset);
  const lines = node.text.split("\n");
  const body = lines.slice(1, -1);
  const text = body.length > 0 ? `${body.join("\n")}\n` : "";
  const doc = { text, firstLine: line + 1 };
  const dynamic = node.namedChildren.some(
    (c) => c.type === "template_interpolation" || c.type === "template_directive",
  );
  // With interpolations the value is unknown, but the body may still be a readable JSON document.
  if (dynamic) return { kind: "template", line, doc };
  return { kind: "string", value: unescapeMarkers(text), line, doc };
}

function evaluateTuple(node: SyntaxNode, resolver: Resolver, lineOffset: number): HclValue {
  const items = node.namedChildren
    .filter((c) => c.type === "expression")
    .map((c) => evaluate(c, resolver, lineOffset));
  return { kind: "list", items, line: lineOf(node, lineOffset) };
}

function evaluateObject(node: SyntaxNode, resolver: Resolver, lineOffset: number): HclValue {
  const entries: ObjectEntry[] = [];
  for (const elem of node.namedChildren) {
    if (elem.type !== "object_elem") continue;
    // object_elem is `key = val` (or `key: val`): the first and last named children.
    const keyNode = elem.namedChildren[0];
    const valNode =
      elem.namedChildren.length > 1 ? elem.namedChildren[elem.namedChildren.length - 1] : undefined;
    const key = keyNode ? objectKey(keyNode, resolver, lineOffset) : undefined;
    if (key === undefined || !valNode) continue;
    entries.push({ key, line: lineOf(elem, lineOffset), value: evaluate(valNode, resolver, lineOffset) });
  }
  return { kind: "object", entries, line: lineOf(node, lineOffset) };
}

/** Object keys: a bare identifier is the key itself (`Effect = ...`), not a variable. */
function objectKey(node: SyntaxNode, resolver: Resolver, lineOffset: number): string | undefined {
  const [primary, ...rest] = node.namedChildren;
  if (primary?.type === "variable_expr" && rest.length === 0) return primary.text;
  const value = evaluate(node, resolver, lineOffset);
  return value.kind === "string" ? value.value : undefined;
}

function evaluateCall(node: SyntaxNode, resolver: Resolver, lineOffset: number): HclValue {
  const line = lineOf(node, lineOffset);
  const name = node.namedChildren.find((c) => c.type === "identifier")?.text ?? "";
  const argsNode = node.namedChildren.find((c) => c.type === "function_arguments");
  const args = (argsNode?.namedChildren ?? [])
    .filter((c) => c.type === "expression")
    .map((c) => evaluate(c, resolver, lineOffset));
  if (PASS_THROUGH.has(name) && args.length === 1 && args[0]) return { ...args[0], line };
  if (name === "concat" && args.every((a) => a.kind === "list")) {
    return { kind: "list", items: args.flatMap((a) => (a.kind === "list" ? a.items : [])), line };
  }
  return unknownAt(line);
}

function evaluateOperation(node: SyntaxNode, resolver: Resolver, lineOffset: number): HclValue {
  const line = lineOf(node, lineOffset);
  const unary = node.namedChildren[0];
  if (unary?.type !== "unary_operation") return unknownAt(line);
  const operator = unary.children[0]?.text;
  const operandNode = unary.namedChildren[0];
  const operand = operandNode ? evaluate(operandNode, resolver, lineOffset) : undefined;
  if (operator === "-" && operand?.kind === "number") return { kind: "number", value: -operand.value, line };
  if (operator === "!" && operand?.kind === "bool") return { kind: "bool", value: !operand.value, line };
  return unknownAt(line);
}
