/**
 * Measures the prompt-injection scanner (src/core/validation/injection.ts) on the shared corpus:
 * prompt-injection.jsonl (994 rows, injection|benign) and prompt-injection-multilingual.jsonl
 * (1,004 machine-translated injections). Rows are split by a hash of their id into a dev half,
 * the only half looked at while choosing indicators and weights, and a held-out half; both are
 * reported so any overfitting shows. Run: `npx tsx bench/corpus-injection.ts [corpora-dir]`.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../src/config/paths.js";
import { assessInjection } from "../src/core/validation/injection.js";
import { type Rates, ratesFromCounts, ratesTable } from "./rates.js";

export interface InjectionRow {
  id: string;
  text: string;
  label: "injection" | "benign";
  source: string;
  carrier?: string;
  lang?: string;
}

export interface RowResult {
  id: string;
  label: InjectionRow["label"];
  source: string;
  carrier: string;
  lang: string;
  half: "dev" | "held-out";
  flagged: boolean;
  score: number;
  indicators: string[];
}

export interface InjectionCorpusReport {
  rows: number;
  overall: Record<"all" | "dev" | "held-out", Rates>;
  bySource: Record<string, Rates>;
  byCarrier: Record<string, Rates>;
  /** NotInject benign rows only: trigger-word look-alikes built to provoke false positives. */
  notInjectFpr: Record<"all" | "dev" | "held-out", Rates>;
  multilingual: {
    rows: number;
    recall: Record<"all" | "dev" | "held-out", Rates>;
    byLanguage: Record<string, Rates>;
  };
  /** How often each indicator fired on injection rows and on benign rows. */
  indicatorCounts: Record<string, { injection: number; benign: number }>;
  results: RowResult[];
  multilingualResults: RowResult[];
}

export function defaultCorporaDir(): string {
  return path.resolve(packageRoot(), "../shared/corpora");
}

export function isDevHalf(id: string): boolean {
  return (createHash("sha256").update(id).digest()[0] ?? 0) % 2 === 0;
}

export type { Rates };

export function rates(results: RowResult[]): Rates {
  const count = (label: string, flagged: boolean) =>
    results.filter((r) => r.label === label && r.flagged === flagged).length;
  const tp = count("injection", true);
  const fn = count("injection", false);
  const fp = count("benign", true);
  const tn = count("benign", false);
  return ratesFromCounts(tp, fp, tn, fn);
}

function loadRows(file: string): InjectionRow[] {
  if (!existsSync(file)) throw new Error(`prompt-injection corpus not found: ${file}`);
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as InjectionRow);
}

function evaluate(row: InjectionRow): RowResult {
  const result = assessInjection(row.text);
  return {
    id: row.id,
    label: row.label,
    source: row.source,
    carrier: row.carrier ?? "unknown",
    lang: row.lang ?? "unknown",
    half: isDevHalf(row.id) ? "dev" : "held-out",
    flagged: result.flagged,
    score: result.score,
    indicators: [...new Set(result.matches.map((m) => m.indicator))],
  };
}

function groupRates(results: RowResult[], key: (r: RowResult) => string): Record<string, Rates> {
  const groups = new Map<string, RowResult[]>();
  for (const r of results) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return Object.fromEntries(
    [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, rates(v)]),
  );
}

function byHalf(results: RowResult[]): Record<"all" | "dev" | "held-out", Rates> {
  return {
    all: rates(results),
    dev: rates(results.filter((r) => r.half === "dev")),
    "held-out": rates(results.filter((r) => r.half === "held-out")),
  };
}

function countIndicators(results: RowResult[]): InjectionCorpusReport["indicatorCounts"] {
  const counts: InjectionCorpusReport["indicatorCounts"] = {};
  for (const r of results) {
    for (const id of r.indicators) {
      counts[id] ??= { injection: 0, benign: 0 };
      counts[id][r.label] += 1;
    }
  }
  return counts;
}

/** Scans every row of both files; throws when the corpora folder is missing. */
export function measureInjectionCorpus(dir: string = defaultCorporaDir()): InjectionCorpusReport {
  const results = loadRows(path.join(dir, "prompt-injection.jsonl")).map(evaluate);
  const multilingualResults = loadRows(path.join(dir, "prompt-injection-multilingual.jsonl")).map(evaluate);
  return {
    rows: results.length,
    overall: byHalf(results),
    bySource: groupRates(results, (r) => r.source),
    byCarrier: groupRates(results, (r) => r.carrier),
    notInjectFpr: byHalf(results.filter((r) => r.source.startsWith("notinject/"))),
    multilingual: {
      rows: multilingualResults.length,
      recall: byHalf(multilingualResults),
      byLanguage: groupRates(multilingualResults, (r) => r.lang),
    },
    indicatorCounts: countIndicators(results),
    results,
    multilingualResults,
  };
}

export function injectionMarkdown(report: InjectionCorpusReport): string {
  const indicators = Object.entries(report.indicatorCounts)
    .sort(([, a], [, b]) => b.injection + b.benign - (a.injection + a.benign))
    .map(([id, c]) => `| ${id} | ${c.injection} | ${c.benign} |`);
  return [
    `## Prompt-injection corpus (${report.rows} rows; multilingual ${report.multilingual.rows} rows)`,
    ratesTable("split", report.overall),
    ratesTable("by source", report.bySource),
    ratesTable("by carrier", report.byCarrier),
    ratesTable("NotInject benign only", report.notInjectFpr),
    ratesTable("multilingual (all injection)", report.multilingual.recall),
    ratesTable("multilingual by language", report.multilingual.byLanguage),
    ["| indicator (rows where it fired) | injection | benign |", "|---|---:|---:|", ...indicators].join("\n"),
  ].join("\n\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(injectionMarkdown(measureInjectionCorpus(process.argv[2] ?? defaultCorporaDir())));
}
