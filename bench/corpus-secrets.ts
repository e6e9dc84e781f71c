/**
 * Measures the secret detector (src/core/validation/secrets.ts) on the shared secrets corpus
 * (shared/corpora/secrets-manifest.json: gitleaks, Nosey Parker, secretlint and KICS fixtures).
 *
 * Two views of the negatives, because most upstream negatives are negative only for one
 * upstream rule (`negative_scope: "rule"`): a "Slack bot token" counter-example may well be a
 * real Slack *user* token, which a general detector is right to flag.
 *  - strict: every no_secret and identifier_not_secret entry is a negative.
 *  - scoped: a rule-scoped negative (and every identifier_not_secret entry, which Nosey Parker
 *    also labels per rule) counts against us only when we flag it with a rule of the entry's own
 *    category; flagged by a rule of another category it is left out of that view. Negatives
 *    scoped to all rules (KICS) always count.
 * Entries whose label depends on an upstream configuration file (`config_dependent`) are left
 * out of both. Run: `npx tsx bench/corpus-secrets.ts [corpora-dir]`.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../src/config/paths.js";
import { findSecrets, secretRuleCategory } from "../src/core/validation/secrets.js";
import { type Rates, ratesFromCounts, ratesTable } from "./rates.js";

export interface ManifestEntry {
  id: string;
  source: string;
  rule: string;
  category: string;
  expected: "secret" | "no_secret" | "identifier_not_secret";
  text?: string;
  file?: string;
  negative_scope?: string;
  config_dependent?: boolean;
}

type Outcome = "tp" | "fp" | "tn" | "fn" | "excluded";

export interface EntryResult {
  id: string;
  source: string;
  category: string;
  expected: ManifestEntry["expected"];
  rules: string[];
  strict: Outcome;
  scoped: Outcome;
}

export interface View {
  overall: Rates;
  bySource: Record<string, Rates>;
  byCategory: Record<string, Rates>;
}

export interface SecretsCorpusReport {
  entries: number;
  configDependentExcluded: number;
  strict: View;
  scoped: View;
  /**
   * Strict view over two halves split by a hash of the entry id. Unlike the injection bench this
   * is no held-out test: the secret rules are public token formats and were checked against the
   * whole corpus, so the halves only show how much the figures vary between samples.
   */
  split: { dev: Rates; heldOut: Rates };
  results: EntryResult[];
}

export function defaultCorporaDir(): string {
  return path.resolve(packageRoot(), "../shared/corpora");
}

export type { Rates };

export function rates(outcomes: Outcome[]): Rates {
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  const [tp, fp, tn, fn] = [count("tp"), count("fp"), count("tn"), count("fn")];
  return ratesFromCounts(tp, fp, tn, fn);
}

function loadText(dir: string, entry: ManifestEntry): string {
  if (entry.text !== undefined) return entry.text;
  if (entry.file === undefined) throw new Error(`corpus entry ${entry.id} has neither text nor file`);
  return readFileSync(path.join(dir, entry.file), "utf8");
}

function classify(entry: ManifestEntry, rules: string[]): { strict: Outcome; scoped: Outcome } {
  const flagged = rules.length > 0;
  if (entry.expected === "secret") {
    const o: Outcome = flagged ? "tp" : "fn";
    return { strict: o, scoped: o };
  }
  const strict: Outcome = flagged ? "fp" : "tn";
  const ruleScoped = entry.expected === "identifier_not_secret" || entry.negative_scope === "rule";
  if (!ruleScoped || !flagged) return { strict, scoped: strict };
  const sameCategory = rules.some((r) => secretRuleCategory(r) === entry.category);
  return { strict, scoped: sameCategory ? "fp" : "excluded" };
}

function groupRates(results: EntryResult[], key: (r: EntryResult) => string, view: "strict" | "scoped") {
  const groups: Record<string, Outcome[]> = {};
  for (const r of results) {
    const k = key(r);
    groups[k] ??= [];
    groups[k].push(r[view]);
  }
  return Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, rates(v)]));
}

function view(results: EntryResult[], which: "strict" | "scoped"): View {
  return {
    overall: rates(results.map((r) => r[which])),
    bySource: groupRates(results, (r) => r.source, which),
    byCategory: groupRates(results, (r) => r.category, which),
  };
}

export function isDevHalf(id: string): boolean {
  return (createHash("sha256").update(id).digest()[0] ?? 0) % 2 === 0;
}

/** Runs the detector over every manifest entry; throws when the corpora folder is missing. */
export function measureSecretsCorpus(dir: string = defaultCorporaDir()): SecretsCorpusReport {
  const manifestPath = path.join(dir, "secrets-manifest.json");
  if (!existsSync(manifestPath)) throw new Error(`secrets corpus not found: ${manifestPath}`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { entries: ManifestEntry[] };
  const usable = manifest.entries.filter((e) => e.config_dependent !== true);
  const results: EntryResult[] = usable.map((entry) => {
    const rules = [...new Set(findSecrets(loadText(dir, entry)).map((m) => m.rule))];
    const { id, source, category, expected } = entry;
    return { id, source, category, expected, rules, ...classify(entry, rules) };
  });
  return {
    entries: manifest.entries.length,
    configDependentExcluded: manifest.entries.length - usable.length,
    strict: view(results, "strict"),
    scoped: view(results, "scoped"),
    split: {
      dev: rates(results.filter((r) => isDevHalf(r.id)).map((r) => r.strict)),
      heldOut: rates(results.filter((r) => !isDevHalf(r.id)).map((r) => r.strict)),
    },
    results,
  };
}

export function secretsMarkdown(report: SecretsCorpusReport): string {
  const sorted = (rows: Record<string, Rates>) => Object.fromEntries(Object.entries(rows).sort());
  return [
    `## Secrets corpus (${report.entries} entries, ${report.configDependentExcluded} config-dependent left out)`,
    ratesTable("view", { strict: report.strict.overall, scoped: report.scoped.overall }),
    ratesTable("strict, by source", sorted(report.strict.bySource)),
    ratesTable("scoped, by source", sorted(report.scoped.bySource)),
    ratesTable("strict, by category", sorted(report.strict.byCategory)),
    ratesTable("scoped, by category", sorted(report.scoped.byCategory)),
    ratesTable("strict, id-hash halves (both seen while tuning)", {
      "half A": report.split.dev,
      "half B": report.split.heldOut,
    }),
  ].join("\n\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(secretsMarkdown(measureSecretsCorpus(process.argv[2] ?? defaultCorporaDir())));
}
