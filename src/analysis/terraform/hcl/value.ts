/**
 * The statically known value of an HCL expression. Anything the analyzer cannot know without
 * running Terraform (resource attributes, function results, conditionals) is `unknown` or a
 * `ref`, and rules never flag on those.
 */
export type HclValue =
  | ({ kind: "string"; value: string } & Located)
  | ({ kind: "number"; value: number } & Located)
  | ({ kind: "bool"; value: boolean } & Located)
  | ({ kind: "null" } & Located)
  | ({ kind: "list"; items: HclValue[] } & Located)
  | ({ kind: "object"; entries: ObjectEntry[] } & Located)
  /** A traversal we do not resolve, such as `aws_s3_bucket.logs.id`. */
  | ({ kind: "ref"; path: string[] } & Located)
  /** A string with interpolations: its value is unknown, its raw text may still hold JSON. */
  | ({ kind: "template" } & Located)
  | ({ kind: "unknown" } & Located);

export interface Located {
  /** 1-based line where the expression starts. */
  line: number;
  /**
   * Raw text of an embedded document (heredoc body or quoted string) and the line its first
   * character sits on; lets policy JSON inside a string keep line numbers into the file.
   */
  doc?: EmbeddedDoc;
}

export interface EmbeddedDoc {
  text: string;
  firstLine: number;
  /** Set when the value was brought in from elsewhere (a variable default): every line is `firstLine`. */
  pinned?: boolean;
}

export interface ObjectEntry {
  key: string;
  line: number;
  value: HclValue;
}

export function unknownAt(line: number): HclValue {
  return { kind: "unknown", line };
}

export function isKnown(value: HclValue): boolean {
  return value.kind !== "unknown" && value.kind !== "ref" && value.kind !== "template";
}

export function asString(value: HclValue | undefined): string | undefined {
  if (!value) return undefined;
  if (value.kind === "string") return value.value;
  if (value.kind === "number" || value.kind === "bool") return String(value.value);
  return undefined;
}

/** A number, accepting numeric strings because Terraform converts them implicitly. */
export function asNumber(value: HclValue | undefined): number | undefined {
  if (!value) return undefined;
  if (value.kind === "number") return value.value;
  if (value.kind === "string" && /^-?\d+(\.\d+)?$/.test(value.value.trim())) return Number(value.value);
  return undefined;
}

/** A boolean, accepting "true"/"false" strings because Terraform converts them implicitly. */
export function asBool(value: HclValue | undefined): boolean | undefined {
  if (!value) return undefined;
  if (value.kind === "bool") return value.value;
  if (value.kind === "string" && (value.value === "true" || value.value === "false")) {
    return value.value === "true";
  }
  return undefined;
}

/** A list's items, or a single value as a one-item list (IAM accepts both shapes). */
export function asItems(value: HclValue | undefined): HclValue[] {
  if (!value) return [];
  if (value.kind === "list") return value.items;
  return [value];
}

/** Looks a key up in an object value, case-insensitively (IAM JSON keys vary in case in the wild). */
export function entry(value: HclValue | undefined, key: string): ObjectEntry | undefined {
  if (value?.kind !== "object") return undefined;
  const wanted = key.toLowerCase();
  return value.entries.find((e) => e.key.toLowerCase() === wanted);
}

export function field(value: HclValue | undefined, key: string): HclValue | undefined {
  return entry(value, key)?.value;
}

/**
 * Moves a value resolved from a variable default or a local to the line that uses it, so a
 * finding points at the resource being reviewed rather than into another block or file.
 */
export function relocate(value: HclValue, line: number): HclValue {
  const doc = value.doc ? { text: value.doc.text, firstLine: line, pinned: true } : undefined;
  const base = doc ? { line, doc } : { line };
  if (value.kind === "list") return { ...value, ...base, items: value.items.map((i) => relocate(i, line)) };
  if (value.kind === "object") {
    const entries = value.entries.map((e) => ({ key: e.key, line, value: relocate(e.value, line) }));
    return { ...value, ...base, entries };
  }
  return { ...value, ...base };
}
