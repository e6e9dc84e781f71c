import { evaluate, NO_RESOLVER } from "../hcl/evaluate.js";
import { parseHcl } from "../hcl/parser.js";
import { type HclValue, relocate } from "../hcl/value.js";

/**
 * The structured form of a document-valued attribute such as an IAM policy: the object itself
 * when written with `jsonencode({...})`, or the JSON text of a heredoc or string read back with
 * line numbers that point into the Terraform file. JSON is valid HCL object syntax, so the same
 * grammar reads it. Returns undefined when the text is not a well-formed JSON object.
 */
export function readEmbeddedObject(value: HclValue | undefined): HclValue | undefined {
  if (!value) return undefined;
  if (value.kind === "object") return value;
  const doc = value.doc;
  if (!doc?.text.trimStart().startsWith("{")) return undefined;
  const root = parseHcl(doc.text);
  const object = root.namedChildren[0];
  if (root.hasError || object?.type !== "object") return undefined;
  const parsed = evaluate(object, NO_RESOLVER, doc.firstLine - 1);
  return doc.pinned ? relocate(parsed, doc.firstLine) : parsed;
}
