import HCL from "@tree-sitter-grammars/tree-sitter-hcl";
import Parser from "tree-sitter";

/*
 * One parser per process: creating a tree-sitter parser loads the grammar, which costs more
 * than parsing a typical file. Parsing is synchronous and the parser keeps no state between
 * calls that could leak into results, so sharing it is safe.
 */
let shared: Parser | undefined;
/** Grammar symbol id -> [type name, is named]; fixed per grammar, so read once per symbol. */
const symbols = new Map<number, [string, boolean]>();

function parser(): Parser {
  if (!shared) {
    shared = new Parser();
    shared.setLanguage(HCL as unknown as Parser.Language);
  }
  return shared;
}

/** Tree depth past which input is treated as malformed (about a hundred levels of nested values). */
const MAX_DEPTH = 400;

/**
 * A syntax node copied out of tree-sitter. Every read of a native node crosses into C++, so the
 * tree is copied with a cursor walk and the analysis works on plain objects. Attribute values
 * are copied only when first read: most are never evaluated.
 */
export class SyntaxNode {
  /** True when this node or a descendant is a syntax error or a token the parser had to invent. */
  hasError = false;
  private copied: SyntaxNode[] = [];
  private named?: SyntaxNode[];
  /** The native node whose children have not been copied yet. */
  pending?: Parser.SyntaxNode;

  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    readonly depth: number,
    private readonly source: SourceText,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get children(): SyntaxNode[] {
    const native = this.pending;
    if (native) {
      this.pending = undefined;
      // Only error-free trees are copied lazily, so there are no invented tokens to look for.
      copyChildren(native.walk(), this, this.source, { lazy: false, checkMissing: false });
    }
    return this.copied;
  }

  get namedChildren(): SyntaxNode[] {
    if (!this.named) this.named = this.children.filter((c) => c.isNamed);
    return this.named;
  }

  get text(): string {
    return this.source.text.slice(this.start, this.end);
  }

  /** 0-based row of the first character. */
  get row(): number {
    return this.source.rowAt(this.start);
  }

  /** 0-based row of the last character. */
  get endRow(): number {
    return this.source.rowAt(Math.max(this.start, this.end - 1));
  }

  /** Used while copying. */
  adopt(child: SyntaxNode): void {
    this.copied.push(child);
  }
}

/** Source text with its line starts, so rows come from offsets without asking tree-sitter. */
class SourceText {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
  }

  rowAt(offset: number): number {
    let [low, high] = [0, this.lineStarts.length - 1];
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

/** Parses HCL (or JSON, which the HCL grammar accepts as a top-level object) into a syntax tree. */
export function parseHcl(text: string): SyntaxNode {
  const tree = parser().parse(text);
  const cursor = tree.walk();
  const source = new SourceText(text);
  const root = copyNode(cursor, source, 0);
  // Copying lazily needs an error-free tree: a broken value must mark its block broken up front.
  const broken = tree.rootNode.hasError;
  copyChildren(cursor, root, source, { lazy: !broken, checkMissing: broken });
  return root;
}

/**
 * Copies the descendants of the cursor's node into `parent`, iteratively (deep input must not
 * exhaust the call stack). With `lazy`, attribute values are left pending.
 */
function copyChildren(
  cursor: Parser.TreeCursor,
  parent: SyntaxNode,
  source: SourceText,
  { lazy, checkMissing }: { lazy: boolean; checkMissing: boolean },
): void {
  const stack: SyntaxNode[] = [parent];
  if (!cursor.gotoFirstChild()) return;
  for (;;) {
    const top = stack[stack.length - 1] as SyntaxNode;
    const node = copyNode(cursor, source, top.depth + 1);
    if (checkMissing && cursor.nodeIsMissing) node.hasError = true;
    top.adopt(node);
    if (node.depth >= MAX_DEPTH) {
      // Deeper than any real configuration: mark it broken so its block is skipped.
      node.hasError = true;
    } else if (lazy && node.type === "expression" && top.type === "attribute") {
      node.pending = cursor.currentNode;
    } else if (cursor.gotoFirstChild()) {
      stack.push(node);
      continue;
    }
    if (node.hasError) top.hasError = true;
    while (!cursor.gotoNextSibling()) {
      const finished = stack.pop() as SyntaxNode;
      const above = stack[stack.length - 1];
      if (!above || !cursor.gotoParent()) return;
      if (finished.hasError) above.hasError = true;
    }
  }
}

function copyNode(cursor: Parser.TreeCursor, source: SourceText, depth: number): SyntaxNode {
  const id = cursor.nodeTypeId;
  let symbol = symbols.get(id);
  if (!symbol) {
    symbol = [cursor.nodeType, cursor.nodeIsNamed];
    symbols.set(id, symbol);
  }
  const node = new SyntaxNode(symbol[0], symbol[1], depth, source, cursor.startIndex, cursor.endIndex);
  node.hasError = symbol[0] === "ERROR";
  return node;
}

/** The 1-based line a node starts on, shifted by `lineOffset` for text cut out of a larger file. */
export function lineOf(node: SyntaxNode, lineOffset = 0): number {
  return node.row + 1 + lineOffset;
}
