import { createHash } from "node:crypto";
import { isMap, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { type CompiledPolicy, compilePolicy } from "./compile.js";
import { PolicyFileSchema } from "./schema.js";

export interface PolicyProblem {
  /** Dotted path of the offending key, e.g. `tools.jira_read.allowed_groups`. */
  path: string;
  /** 1-based line in the file, when the key or value exists in it. */
  line: number | null;
  message: string;
}

export type PolicyParseResult =
  | { ok: true; policy: CompiledPolicy }
  | { ok: false; problems: PolicyProblem[] };

/**
 * Parses and validates a policy file's text. Pure: the caller reads the file. Every problem
 * names the key's path and line so an author can fix the file without guessing.
 */
export function parsePolicy(text: string): PolicyParseResult {
  const sha256 = createHash("sha256").update(text, "utf8").digest("hex");
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        path: "",
        line: lineCounter.linePos(e.pos[0]).line,
        message: `YAML syntax: ${e.message.split("\n")[0]}`,
      })),
    };
  }
  const parsed = PolicyFileSchema.safeParse(doc.toJS({ maxAliasCount: 100 }) ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => toProblem(issue, doc.contents, lineCounter)),
    };
  }
  return { ok: true, policy: compilePolicy(parsed.data, sha256) };
}

function toProblem(issue: z.core.$ZodIssue, root: Node | null, lines: LineCounter): PolicyProblem {
  let path = issue.path.map(String);
  let message = issue.message;
  if (issue.code === "unrecognized_keys") {
    // Point at the first unknown key itself, not at its parent.
    path = [...path, String(issue.keys[0])];
    message = `unknown key${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
  }
  const node = nearestNode(root, path);
  const offset = node?.range?.[0];
  return {
    path: path.join(".") || "(root)",
    line: offset === undefined ? null : lines.linePos(offset).line,
    message,
  };
}

/** Walks the YAML AST along `path`, returning the deepest node that exists (key node for map entries). */
function nearestNode(root: Node | null, path: string[]): Node | null {
  let current: Node | null = root;
  let best: Node | null = root;
  for (const segment of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => String((p.key as { value?: unknown })?.value) === segment);
      if (!pair) return best;
      best = (pair.key as Node) ?? best;
      current = (pair.value as Node | null) ?? null;
    } else if (isSeq(current)) {
      const item = current.items[Number(segment)] as Node | undefined;
      if (!item) return best;
      best = item;
      current = item;
    } else {
      return best;
    }
  }
  return best;
}

export function formatProblems(problems: PolicyProblem[]): string {
  return problems
    .map((p) => `${p.line === null ? "" : `line ${p.line}: `}${p.path}: ${p.message}`)
    .join("\n");
}
