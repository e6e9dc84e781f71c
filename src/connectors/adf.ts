/**
 * Atlassian Document Format (ADF), the JSON rich-text format of Jira Cloud REST v3, to and from
 * plain text. Reading is defensive — ADF from an issue is untrusted input, so unknown nodes are
 * flattened to their text, malformed nodes are skipped, and nesting depth is bounded. Writing
 * understands the small Markdown subset our review comments use: `#`…`######` headings, `-`/`*`
 * bullets, `1.` numbered items, and paragraphs separated by blank lines (single newlines inside
 * a paragraph become hard breaks).
 *
 * Text produced by adfToText uses the same subset, so text → ADF → text is stable.
 */

export interface AdfMark {
  type: string;
  attrs?: Record<string, unknown>;
}

export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  text?: string;
  marks?: AdfMark[];
}

export interface AdfDoc {
  type: "doc";
  version: 1;
  content: AdfNode[];
}

/** Deeper nesting than this is not something a human wrote; stop instead of recursing on. */
const MAX_DEPTH = 48;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function children(node: Json): Json[] {
  return Array.isArray(node.content) ? node.content.filter(isRecord) : [];
}

function attr(node: Json, name: string): unknown {
  return isRecord(node.attrs) ? node.attrs[name] : undefined;
}

// ---------------------------------------------------------------- ADF -> text

/** Flattens an ADF document (or any ADF node) to text; anything that is not ADF yields "". */
export function adfToText(value: unknown): string {
  if (!isRecord(value)) return "";
  const blocks = value.type === "doc" ? children(value) : [value];
  return blocks
    .map((block) => renderBlock(block, 0).join("\n"))
    .filter((text) => text.trim() !== "")
    .join("\n\n");
}

function renderBlock(node: Json, depth: number): string[] {
  if (depth > MAX_DEPTH) return [];
  switch (node.type) {
    case "paragraph":
      return renderInline(children(node), depth).split("\n");
    case "heading": {
      const level = clampLevel(attr(node, "level"));
      return [`${"#".repeat(level)} ${renderInline(children(node), depth).replace(/\n/g, " ")}`];
    }
    case "bulletList":
      return children(node).flatMap((item) => prefixLines(renderBlocks(item, depth + 1), "- "));
    case "orderedList": {
      const start = Number.isInteger(attr(node, "order")) ? (attr(node, "order") as number) : 1;
      return children(node).flatMap((item, i) =>
        prefixLines(renderBlocks(item, depth + 1), `${start + i}. `),
      );
    }
    case "codeBlock":
      return ["```", ...renderInline(children(node), depth).split("\n"), "```"];
    case "blockquote":
      return renderBlocks(node, depth + 1).map((line) => `> ${line}`);
    case "rule":
      return ["---"];
    case "table":
      return children(node).map((row) =>
        children(row)
          .map((cell) => cellText(cell, depth))
          .join(" | "),
      );
    case "mediaSingle":
    case "mediaGroup":
    case "media":
      return [];
    default:
      // panel, expand, layoutSection, taskList, … and nodes newer than this code: keep their text.
      if (typeof node.text === "string") return node.text.split("\n");
      return renderBlocks(node, depth + 1);
  }
}

function renderBlocks(node: Json, depth: number): string[] {
  return children(node).flatMap((child) => (isInline(child) ? [] : renderBlock(child, depth)));
}

function cellText(cell: Json, depth: number): string {
  return renderBlocks(cell, depth + 1)
    .join(" ")
    .trim();
}

function prefixLines(lines: string[], prefix: string): string[] {
  const indent = " ".repeat(prefix.length);
  const nonEmpty = lines.length > 0 ? lines : [""];
  return nonEmpty.map((line, i) => (i === 0 ? `${prefix}${line}` : `${indent}${line}`));
}

const INLINE_TYPES = new Set(["text", "hardBreak", "mention", "emoji", "inlineCard", "date", "status"]);

function isInline(node: Json): boolean {
  return typeof node.type === "string" && INLINE_TYPES.has(node.type);
}

function renderInline(nodes: Json[], depth: number): string {
  if (depth > MAX_DEPTH) return "";
  return nodes.map((node) => inlineText(node, depth)).join("");
}

function inlineText(node: Json, depth: number): string {
  switch (node.type) {
    case "text":
      return typeof node.text === "string" ? node.text : "";
    case "hardBreak":
      return "\n";
    case "mention":
    case "status":
      return stringAttr(node, "text");
    case "emoji":
      return stringAttr(node, "text") || stringAttr(node, "shortName");
    case "inlineCard":
      return stringAttr(node, "url");
    case "date": {
      const ts = Number(attr(node, "timestamp"));
      return Number.isFinite(ts) ? new Date(ts).toISOString().slice(0, 10) : "";
    }
    default:
      return renderInline(children(node), depth + 1);
  }
}

function stringAttr(node: Json, name: string): string {
  const value = attr(node, name);
  return typeof value === "string" ? value : "";
}

function clampLevel(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) ? Math.min(Math.max(value, 1), 6) : 1;
}

// ---------------------------------------------------------------- text -> ADF

const HEADING = /^(#{1,6})\s+(.*)$/;
const BULLET = /^[-*]\s+(.*)$/;
const NUMBERED = /^(\d{1,9})[.)]\s+(.*)$/;
/** Control characters other than tab and newline have no place in a comment. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Converts Markdown-ish text to an ADF document. */
export function markdownToAdf(markdown: string): AdfDoc {
  const lines = markdown.replace(/\r\n?/g, "\n").replace(CONTROL, "").split("\n");
  const content: AdfNode[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) content.push({ type: "paragraph", content: inlineNodes(paragraph) });
    paragraph = [];
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    const heading = HEADING.exec(line);
    const bullet = BULLET.exec(line);
    const numbered = NUMBERED.exec(line);
    if (line.trim() === "") flush();
    else if (heading) {
      flush();
      content.push({
        type: "heading",
        attrs: { level: heading[1]!.length },
        content: textNodes(heading[2]!),
      });
    } else if (bullet) {
      flush();
      listFor(content, "bulletList", 1).content!.push(listItem(bullet[1]!));
    } else if (numbered) {
      flush();
      listFor(content, "orderedList", Number(numbered[1])).content!.push(listItem(numbered[2]!));
    } else paragraph.push(line);
  }
  flush();
  return { type: "doc", version: 1, content };
}

/** The list of that type ending the document, or a new one appended to it. */
function listFor(content: AdfNode[], type: "bulletList" | "orderedList", start: number): AdfNode {
  const last = content[content.length - 1];
  if (last?.type === type) return last;
  const list: AdfNode =
    type === "orderedList" && start !== 1
      ? { type, attrs: { order: start }, content: [] }
      : { type, content: [] };
  content.push(list);
  return list;
}

function listItem(text: string): AdfNode {
  return { type: "listItem", content: [{ type: "paragraph", content: textNodes(text.trim()) }] };
}

function inlineNodes(lines: string[]): AdfNode[] {
  return lines.flatMap((line, i) =>
    i === 0 ? textNodes(line) : [{ type: "hardBreak" }, ...textNodes(line)],
  );
}

/** ADF forbids empty text nodes, so an empty string yields no node at all. */
function textNodes(text: string): AdfNode[] {
  return text === "" ? [] : [{ type: "text", text }];
}
