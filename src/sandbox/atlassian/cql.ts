/**
 * The subset of Confluence Query Language the simulator understands — enough for real
 * standards queries, strict enough to refuse what Confluence refuses:
 *
 *   query   := expr [ORDER BY field [ASC|DESC] {, field [ASC|DESC]}]
 *   expr    := and {OR and}          and := unary {AND unary}
 *   unary   := NOT unary | "(" expr ")" | clause
 *   clause  := field ("=" | "!=" | "~" | "!~") value | field [NOT] IN "(" value {, value} ")"
 *   fields  := type, space, space.key, label, title, id, text, created, lastmodified (ORDER BY only: title, id, created)
 *
 * Keywords are case-insensitive; values are quoted ("…" or '…', backslash escapes) or bare words.
 */

export interface CqlPage {
  id: string;
  title: string;
  spaceKey: string;
  labels: string[];
  storage: string;
  created: string;
}

export interface CqlQuery {
  matches(page: CqlPage): boolean;
  sort<T extends CqlPage>(pages: T[]): T[];
}

export class CqlSyntaxError extends Error {}

type Token = { kind: "word" | "string" | "op" | "punct"; value: string };
type Predicate = (page: CqlPage) => boolean;

const MAX_CQL_LENGTH = 4096;
const MAX_NESTING = 32;
const FIELD_VALUES: Record<string, (page: CqlPage) => string[]> = {
  type: () => ["page"],
  space: (page) => [page.spaceKey],
  "space.key": (page) => [page.spaceKey],
  label: (page) => page.labels,
  title: (page) => [page.title],
  id: (page) => [page.id],
  text: (page) => [page.title, page.storage],
};
const CONTAINS_FIELDS = new Set(["title", "text"]);
const ORDER_FIELDS: Record<string, (page: CqlPage) => string> = {
  title: (page) => page.title.toLowerCase(),
  id: (page) => page.id.padStart(20, "0"),
  created: (page) => page.created,
  lastmodified: (page) => page.created,
};

export function parseCql(cql: string): CqlQuery {
  if (cql.length > MAX_CQL_LENGTH) throw new CqlSyntaxError("query too long");
  const parser = new Parser(tokenize(cql));
  const predicate = parser.expression(0);
  const order = parser.orderBy();
  parser.expectEnd();
  return {
    matches: predicate,
    sort: (pages) => [...pages].sort((a, b) => compare(order, a, b)),
  };
}

function compare(order: { key: (p: CqlPage) => string; desc: boolean }[], a: CqlPage, b: CqlPage): number {
  for (const { key, desc } of order) {
    const x = key(a);
    const y = key(b);
    if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
  }
  return a.id.padStart(20, "0") < b.id.padStart(20, "0") ? -1 : 1;
}

function tokenize(cql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < cql.length) {
    const ch = cql[i]!;
    if (/\s/.test(ch)) i += 1;
    else if (ch === '"' || ch === "'") i = readString(cql, i, tokens);
    else if (ch === "(" || ch === ")" || ch === ",") {
      tokens.push({ kind: "punct", value: ch });
      i += 1;
    } else {
      const op = /^(!=|!~|=|~)/.exec(cql.slice(i, i + 2));
      const word = /^[A-Za-z0-9_.:@/-]+/.exec(cql.slice(i, i + 256));
      if (op) tokens.push({ kind: "op", value: op[1]! });
      else if (word) tokens.push({ kind: "word", value: word[0] });
      else throw new CqlSyntaxError(`unexpected character at ${i}`);
      i += (op?.[1] ?? word?.[0] ?? "").length;
    }
  }
  return tokens;
}

function readString(cql: string, start: number, tokens: Token[]): number {
  const quote = cql[start];
  let value = "";
  for (let i = start + 1; i < cql.length; i += 1) {
    const ch = cql[i]!;
    if (ch === "\\" && i + 1 < cql.length) {
      value += cql[i + 1];
      i += 1;
    } else if (ch === quote) {
      tokens.push({ kind: "string", value });
      return i + 1;
    } else value += ch;
  }
  throw new CqlSyntaxError("unterminated string");
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  expression(depth: number): Predicate {
    if (depth > MAX_NESTING) throw new CqlSyntaxError("nested too deeply");
    let left = this.conjunction(depth);
    while (this.keyword("or")) {
      const [a, b] = [left, this.conjunction(depth)];
      left = (page) => a(page) || b(page);
    }
    return left;
  }

  orderBy(): { key: (p: CqlPage) => string; desc: boolean }[] {
    if (!this.keyword("order")) return [];
    if (!this.keyword("by")) throw new CqlSyntaxError("expected BY");
    const order: { key: (p: CqlPage) => string; desc: boolean }[] = [];
    do {
      const field = this.next("word").toLowerCase();
      const key = ORDER_FIELDS[field];
      if (!key) throw new CqlSyntaxError(`cannot order by ${field}`);
      const desc = this.keyword("desc");
      if (!desc) this.keyword("asc");
      order.push({ key, desc });
    } while (this.punct(","));
    return order;
  }

  expectEnd(): void {
    if (this.at < this.tokens.length) throw new CqlSyntaxError("unexpected trailing input");
  }

  private conjunction(depth: number): Predicate {
    let left = this.unary(depth);
    while (this.keyword("and")) {
      const [a, b] = [left, this.unary(depth)];
      left = (page) => a(page) && b(page);
    }
    return left;
  }

  private unary(depth: number): Predicate {
    if (this.keyword("not")) {
      const inner = this.unary(depth + 1);
      return (page) => !inner(page);
    }
    if (this.punct("(")) {
      const inner = this.expression(depth + 1);
      if (!this.punct(")")) throw new CqlSyntaxError("expected )");
      return inner;
    }
    return this.clause();
  }

  private clause(): Predicate {
    const field = this.next("word").toLowerCase();
    const values = FIELD_VALUES[field];
    if (!values) throw new CqlSyntaxError(`unknown field ${field}`);
    const negated = this.keyword("not");
    if (this.keyword("in")) {
      const list = this.valueList().map((v) => v.toLowerCase());
      return (page) => values(page).some((v) => list.includes(v.toLowerCase())) !== negated;
    }
    if (negated) throw new CqlSyntaxError("expected IN after NOT");
    const op = this.next("op");
    const value = this.value().toLowerCase();
    if (op === "~" || op === "!~") {
      if (!CONTAINS_FIELDS.has(field)) throw new CqlSyntaxError(`~ not supported for ${field}`);
      return (page) => values(page).some((v) => v.toLowerCase().includes(value)) === (op === "~");
    }
    return (page) => values(page).some((v) => v.toLowerCase() === value) === (op === "=");
  }

  private valueList(): string[] {
    if (!this.punct("(")) throw new CqlSyntaxError("expected (");
    const values = [this.value()];
    while (this.punct(",")) values.push(this.value());
    if (!this.punct(")")) throw new CqlSyntaxError("expected )");
    return values;
  }

  private value(): string {
    const token = this.tokens[this.at];
    if (!token || (token.kind !== "string" && token.kind !== "word"))
      throw new CqlSyntaxError("expected a value");
    this.at += 1;
    return token.value;
  }

  private next(kind: Token["kind"]): string {
    const token = this.tokens[this.at];
    if (!token || token.kind !== kind) throw new CqlSyntaxError(`expected ${kind}`);
    this.at += 1;
    return token.value;
  }

  private keyword(word: string): boolean {
    const token = this.tokens[this.at];
    if (token?.kind !== "word" || token.value.toLowerCase() !== word) return false;
    this.at += 1;
    return true;
  }

  private punct(value: string): boolean {
    const token = this.tokens[this.at];
    if (token?.kind !== "punct" || token.value !== value) return false;
    this.at += 1;
    return true;
  }
}
