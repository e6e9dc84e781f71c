import { evaluate, type Resolver } from "../hcl/evaluate.js";
import { type HclValue, relocate } from "../hcl/value.js";
import { readTfFile, type TfAttribute, type TfBlock, type TfFile } from "./model.js";

export interface SourceFile {
  path: string;
  content: string;
}

/**
 * The Terraform files of one change, read once. Values are evaluated on demand with the
 * variables and locals of the block's own directory (a Terraform module is a directory).
 */
export class Configuration {
  readonly files: TfFile[];
  private readonly byPath = new Map<string, TfFile>();
  private readonly scopes = new Map<string, DirectoryScope>();

  constructor(sources: SourceFile[]) {
    this.files = sources.map((s) => readTfFile(s.path, s.content));
    for (const file of this.files) {
      this.byPath.set(file.path, file);
      this.scope(file.dir).add(file.blocks);
    }
  }

  /** Top-level blocks of a kind (`resource`, `data`, `module`), optionally of one resource type. */
  blocks(kind: string, type?: string): TfBlock[] {
    return this.files.flatMap((f) =>
      f.blocks.filter((b) => b.type === kind && (type === undefined || b.labels[0] === type)),
    );
  }

  /** The statically known value of `block.name`, or undefined when the attribute is absent. */
  value(block: TfBlock, name: string): HclValue | undefined {
    const attribute = block.attributes.get(name);
    return attribute ? this.evaluate(block.dir, attribute) : undefined;
  }

  evaluate(dir: string, attribute: TfAttribute): HclValue {
    return evaluate(attribute.expression, this.scope(dir));
  }

  /** The text of a 1-based line of a file, trimmed; empty when out of range. */
  sourceLine(file: string, line: number): string {
    return this.byPath.get(file)?.lines[line - 1]?.trim() ?? "";
  }

  private scope(dir: string): DirectoryScope {
    let scope = this.scopes.get(dir);
    if (!scope) {
      scope = new DirectoryScope();
      this.scopes.set(dir, scope);
    }
    return scope;
  }
}

/** Resolves `var.x` to the variable's default and `local.x` to its expression, with a cycle guard. */
class DirectoryScope implements Resolver {
  private readonly variables = new Map<string, TfAttribute>();
  private readonly locals = new Map<string, TfAttribute>();
  private readonly cache = new Map<string, HclValue | undefined>();
  private readonly inProgress = new Set<string>();

  add(blocks: TfBlock[]): void {
    for (const block of blocks) {
      const name = block.labels[0];
      const fallback = block.attributes.get("default");
      if (block.type === "variable" && name !== undefined && fallback) this.variables.set(name, fallback);
      if (block.type === "locals") for (const [key, attr] of block.attributes) this.locals.set(key, attr);
    }
  }

  variable(name: string, atLine: number): HclValue | undefined {
    return this.lookup(`var.${name}`, this.variables.get(name), atLine);
  }

  local(name: string, atLine: number): HclValue | undefined {
    return this.lookup(`local.${name}`, this.locals.get(name), atLine);
  }

  private lookup(key: string, attribute: TfAttribute | undefined, atLine: number): HclValue | undefined {
    if (!attribute || this.inProgress.has(key)) return undefined;
    if (!this.cache.has(key)) {
      this.inProgress.add(key);
      this.cache.set(key, evaluate(attribute.expression, this));
      this.inProgress.delete(key);
    }
    const value = this.cache.get(key);
    return value ? relocate(value, atLine) : undefined;
  }
}
