import { lineOf, parseHcl, type SyntaxNode } from "../hcl/parser.js";

export interface TfAttribute {
  name: string;
  /** 1-based line of the attribute's name. */
  line: number;
  /** The value expression. */
  expression: SyntaxNode;
}

/** A block as written: `resource "aws_s3_bucket" "logs" { ... }`, or a nested `ingress { ... }`. */
export interface TfBlock {
  type: string;
  labels: string[];
  line: number;
  /** 1-based line of the closing brace. */
  endLine: number;
  file: string;
  /** The Terraform module (directory) the file belongs to: var/local names resolve within it. */
  dir: string;
  attributes: Map<string, TfAttribute>;
  blocks: TfBlock[];
}

export interface TfFile {
  path: string;
  dir: string;
  lines: string[];
  blocks: TfBlock[];
}

/**
 * Reads one file into blocks. Top-level blocks that contain a syntax error are dropped: after an
 * error tree-sitter may fold the following code into the broken block, so nothing in it is trusted.
 */
export function readTfFile(path: string, content: string): TfFile {
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  const root = parseHcl(content);
  const body = root.namedChildren.find((c) => c.type === "body");
  const blocks = (body?.namedChildren ?? [])
    .filter((c) => c.type === "block" && !c.hasError)
    .map((c) => readBlock(c, path, dir));
  return { path, dir, lines: content.split("\n"), blocks };
}

function readBlock(node: SyntaxNode, file: string, dir: string): TfBlock {
  const labels: string[] = [];
  let type = "";
  const attributes = new Map<string, TfAttribute>();
  const blocks: TfBlock[] = [];
  for (const child of node.namedChildren) {
    if (child.type === "identifier" && type === "") type = child.text;
    else if (child.type === "identifier") labels.push(child.text);
    else if (child.type === "string_lit") labels.push(stringLabel(child));
    else if (child.type === "body") readBody(child, file, dir, attributes, blocks);
  }
  return { type, labels, line: lineOf(node), endLine: node.endRow + 1, file, dir, attributes, blocks };
}

function readBody(
  body: SyntaxNode,
  file: string,
  dir: string,
  attributes: Map<string, TfAttribute>,
  blocks: TfBlock[],
): void {
  for (const child of body.namedChildren) {
    if (child.type === "block") {
      blocks.push(readBlock(child, file, dir));
      continue;
    }
    if (child.type !== "attribute") continue;
    const name = child.namedChildren.find((c) => c.type === "identifier")?.text;
    const expression = child.namedChildren.find((c) => c.type === "expression");
    if (name && expression) attributes.set(name, { name, line: lineOf(child), expression });
  }
}

function stringLabel(node: SyntaxNode): string {
  return node.namedChildren.find((c) => c.type === "template_literal")?.text ?? "";
}

/** The Terraform address of a top-level block: `aws_s3_bucket.logs`, `data.x.y`, `module.m`. */
export function addressOf(block: TfBlock): string {
  if (block.type === "resource") return block.labels.join(".");
  if (block.type === "data") return `data.${block.labels.join(".")}`;
  return `${block.type}.${block.labels.join(".")}`;
}
