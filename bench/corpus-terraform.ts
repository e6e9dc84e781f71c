/**
 * Measures the Terraform analyzer (src/analysis/terraform) on the KICS Terraform/AWS corpus
 * (shared/corpora/kics-terraform-aws/manifest.json). Run: `npx tsx bench/corpus-terraform.ts [corpora-dir]`.
 *
 * Each KICS query checks one narrow condition, and its `negative*` files are negative only for
 * that query ("other queries may still fire"). Our rules are broader: one S3 rule covers all four
 * public-access-block settings, so every S3 negative (which sets one setting right and leaves
 * another out) is a true finding for our rule. Two views, like the secrets benchmark:
 *  - matched: a file counts as flagged when the rule reports a finding whose aspect is the
 *    query's condition (the finding's `aspects`, e.g. `s3.pab.ignore_public_acls`);
 *  - whole rule: any finding of the rule flags the file.
 * The floors (precision and recall >= 0.9 per class) apply to the matched view over the queries
 * in scope. Queries that check something our standard does not ask for are listed with the
 * reason and left out of the class figures, still measured for information.
 * Labels are scored as given: where a label reads an author's evident intent rather than what AWS
 * would apply (a rule inside a module call, a TCP `0`–`0` range), the analyzer takes the same
 * fail-safe reading and says so in the finding's evidence.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readTfFile, type TfBlock } from "../src/analysis/terraform/config/model.js";
import { analyzeTerraformDetailed, type RuleHit } from "../src/analysis/terraform/index.js";
import { packageRoot } from "../src/config/paths.js";
import { BridleError } from "../src/core/errors.js";

interface ManifestFile {
  file: string;
  format: string;
  expected_flagged: boolean;
  expected_lines: number[];
}

interface ManifestQuery {
  folder: string;
  title: string;
  harness_class: string;
  files: ManifestFile[];
}

/** Which of our rules answers a corpus class, and how each of its queries maps onto the rule's aspects. */
interface QueryScope {
  /** Aspects of the rule that express this query's condition; empty when out of scope. */
  aspects: string[];
  /** Why the query is in or out of scope. */
  note: string;
}

interface ClassMapping {
  corpusClass: string;
  rule: string;
  queries: Record<string, QueryScope>;
}

const PAB = (setting: string, note: string): QueryScope => ({ aspects: [`s3.pab.${setting}`], note });

export const CLASS_MAPPINGS: ClassMapping[] = [
  {
    corpusClass: "s3_public_access_block",
    rule: "S3_PUBLIC_ACCESS_BLOCK_MISSING",
    queries: {
      s3_bucket_without_restriction_of_public_bucket: PAB(
        "restrict_public_buckets",
        "restrict_public_buckets false or unset",
      ),
      s3_bucket_without_ignore_public_acl: PAB("ignore_public_acls", "ignore_public_acls false or unset"),
      s3_bucket_allows_public_acl: PAB("block_public_acls", "block_public_acls false or unset"),
      s3_bucket_with_public_policy: PAB("block_public_policy", "block_public_policy false or unset"),
      s3_bucket_public_acl_overridden_by_public_access_block: {
        aspects: [],
        note:
          "out of scope: flags a public ACL that a fully enabled access block neutralises (its positives block all " +
          "public access, which our standard asks for) and labels negative buckets whose ACL stays public " +
          "(block_public_acls = false), which our standard forbids",
      },
    },
  },
  {
    corpusClass: "iam_wildcard_or_admin",
    rule: "IAM_WILDCARD_ACTION",
    queries: {
      iam_policies_with_full_privileges: { aspects: ["iam.full_admin"], note: 'Allow "*" on Resource "*"' },
      iam_policy_grants_full_permissions: { aspects: ["iam.full_admin"], note: 'Allow "*" on Resource "*"' },
      iam_role_with_full_privileges: {
        aspects: ["iam.full_admin"],
        note: 'Allow "*" on Resource "*" (trust policy)',
      },
      iam_role_allows_all_principals_to_assume: {
        aspects: ["iam.trust_any_principal"],
        note: "trust policy open to * or an account root, without a condition",
      },
      iam_role_policy_passrole_allows_all: {
        aspects: ["iam.passrole_all"],
        note: 'iam:PassRole on Resource "*"',
      },
      kms_key_with_full_permissions: {
        aspects: ["iam.unconditioned"],
        note: "wildcard action in a key policy statement without a condition",
      },
      sqs_policy_allows_all_actions: {
        aspects: ["iam.wildcard_action"],
        note: "wildcard action in a queue policy",
      },
    },
  },
  {
    corpusClass: "sg_open_to_world",
    rule: "SG_ADMIN_PORT_OPEN_TO_WORLD",
    queries: {
      sensitive_port_is_exposed_to_entire_network: {
        aspects: ["net.security_group"],
        note: "sensitive port from 0.0.0.0/0",
      },
      security_group_with_unrestricted_access_to_ssh: {
        aspects: ["net.security_group"],
        note: "SSH from 0.0.0.0/0",
      },
      remote_desktop_port_open_to_internet: { aspects: ["net.security_group"], note: "RDP from 0.0.0.0/0" },
      default_security_groups_with_unrestricted_traffic: {
        aspects: ["net.security_group"],
        note: "all traffic from 0.0.0.0/0 or ::/0 on a default security group",
      },
      network_acl_with_unrestricted_access_to_ssh: {
        aspects: ["net.network_acl"],
        note: "ACL allows SSH from 0.0.0.0/0",
      },
      network_acl_with_unrestricted_access_to_rdp: {
        aspects: ["net.network_acl"],
        note: "ACL allows RDP from 0.0.0.0/0",
      },
      unrestricted_security_group_ingress: {
        aspects: [],
        note:
          "out of scope: any port from 0.0.0.0/0 (a public HTTPS listener included), and module inputs that declare " +
          "a source list without any port; our standard covers administrative ports only",
      },
      http_port_open: { aspects: [], note: "out of scope: port 80 is not an administrative port" },
      unknown_port_exposed_to_internet: {
        aspects: [],
        note: "out of scope: non-standard ports from the internet, whatever the service",
      },
      sensitive_port_is_exposed_to_small_public_network: {
        aspects: [],
        note: "out of scope: small public CIDRs (/25 to /29), not 0.0.0.0/0",
      },
    },
  },
  {
    corpusClass: "cloudwatch_logs",
    rule: "LOG_RETENTION_MISSING",
    queries: {
      cloudwatch_without_retention_period_specified: {
        aspects: ["logs.retention"],
        note: "no retention, or 0",
      },
      cloudwatch_log_group_not_encrypted: {
        aspects: [],
        note: "out of scope: KMS encryption of log groups is a different standard",
      },
    },
  },
];

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  fpr: number;
  expectedLines: number;
  /** Expected lines with a matching finding on that very line. */
  matchedLines: number;
  lineRecall: number;
  /**
   * Expected lines with a matching finding inside the innermost block that holds the line. KICS
   * points at the block or attribute that opens the problem (`ingress {`, `policy = <<EOF`); we
   * point at the offending value inside it (the CIDR, the action), so exact lines rarely agree.
   */
  blockMatchedLines: number;
  blockLineRecall: number;
}

export interface FileOutcome {
  file: string;
  expected: boolean;
  /** Flagged by a finding with one of the query's aspects. */
  matched: boolean;
  /** Flagged by any finding of the rule. */
  anyFinding: boolean;
  expectedLines: number[];
  matchedLines: number[];
  blockMatchedLines: number[];
  findingLines: number[];
}

export interface QueryResult {
  query: string;
  inScope: boolean;
  note: string;
  matched: Counts;
  wholeRule: Counts;
  files: FileOutcome[];
}

export interface RuleResult {
  rule: string;
  corpusClass: string;
  queries: QueryResult[];
  /** In-scope queries, matched view, labels as given. */
  matched: Counts;
  /** In-scope queries, any finding of the rule. */
  wholeRule: Counts;
}

export interface NoiseRow {
  rule: string;
  negativeFiles: number;
  flagged: number;
  files: string[];
}

export interface TerraformCorpusResult {
  corpusDir: string;
  filesMeasured: number;
  skippedPlanJson: number;
  rules: RuleResult[];
  noise: NoiseRow[];
}

export function defaultCorporaDir(): string {
  return path.resolve(packageRoot(), "../shared/corpora");
}

export function measureTerraformCorpus(corpusDir: string = defaultCorporaDir()): TerraformCorpusResult {
  const root = path.join(corpusDir, "kics-terraform-aws");
  const manifestPath = path.join(root, "manifest.json");
  if (!existsSync(manifestPath)) {
    throw new BridleError(
      "NOT_FOUND",
      `Terraform corpus not found: ${manifestPath} (expected ../shared/corpora)`,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { queries: ManifestQuery[] };
  const allFiles = manifest.queries.flatMap((q) => q.files);
  const hcl = allFiles.filter((f) => f.format !== "terraform-plan-json");
  const hits = new Map(hcl.map((f) => [f.file, analyzeFile(root, f.file)]));
  const spans = new Map(hcl.map((f) => [f.file, blockSpans(root, f.file)]));
  const rules = CLASS_MAPPINGS.map((mapping) => measureRule(mapping, manifest.queries, { hits, spans }));
  return {
    corpusDir,
    filesMeasured: hcl.length,
    skippedPlanJson: allFiles.length - hcl.length,
    rules,
    noise: CLASS_MAPPINGS.map((m) => noiseOf(m.rule, hcl, hits)),
  };
}

function analyzeFile(root: string, file: string): RuleHit[] {
  const content = readFileSync(path.join(root, file), "utf8");
  return analyzeTerraformDetailed([{ path: file, content }]);
}

type Span = [number, number];

/** Line spans of every block of a file, nested ones included. */
function blockSpans(root: string, file: string): Span[] {
  const spans: Span[] = [];
  const walk = (blocks: TfBlock[]) => {
    for (const b of blocks) {
      spans.push([b.line, b.endLine]);
      walk(b.blocks);
    }
  };
  walk(readTfFile(file, readFileSync(path.join(root, file), "utf8")).blocks);
  return spans;
}

function innermostSpan(spans: Span[], line: number): Span | undefined {
  return spans
    .filter(([start, end]) => start <= line && line <= end)
    .sort((a, b) => a[1] - a[0] - (b[1] - b[0]))[0];
}

interface Measured {
  hits: Map<string, RuleHit[]>;
  spans: Map<string, Span[]>;
}

function measureRule(mapping: ClassMapping, queries: ManifestQuery[], measured: Measured): RuleResult {
  const results = queries
    .filter((q) => q.harness_class === mapping.corpusClass)
    .map((q) => measureQuery(mapping, q, measured));
  const inScope = results.filter((r) => r.inScope).flatMap((r) => r.files);
  return {
    rule: mapping.rule,
    corpusClass: mapping.corpusClass,
    queries: results,
    matched: counts(inScope, "matched"),
    wholeRule: counts(inScope, "anyFinding"),
  };
}

function measureQuery(mapping: ClassMapping, query: ManifestQuery, measured: Measured): QueryResult {
  const scope = mapping.queries[query.folder] ?? { aspects: [], note: "not mapped" };
  const files = query.files
    .filter((f) => f.format !== "terraform-plan-json")
    .map((f) =>
      fileOutcome(mapping.rule, scope, f, measured.hits.get(f.file) ?? [], measured.spans.get(f.file) ?? []),
    );
  return {
    query: query.folder,
    inScope: scope.aspects.length > 0,
    note: scope.note,
    matched: counts(files, "matched"),
    wholeRule: counts(files, "anyFinding"),
    files,
  };
}

function fileOutcome(
  rule: string,
  scope: QueryScope,
  file: ManifestFile,
  hits: RuleHit[],
  spans: Span[],
): FileOutcome {
  const ofRule = hits.filter((h) => h.rule_id === rule);
  const matching = ofRule.filter((h) => h.aspects.some((a) => scope.aspects.includes(a)));
  const matchedLines = new Set(matching.map((h) => h.line));
  const inBlock = (line: number) => {
    const span = innermostSpan(spans, line);
    return span !== undefined && matching.some((h) => h.line >= span[0] && h.line <= span[1]);
  };
  return {
    file: file.file,
    expected: file.expected_flagged,
    matched: matching.length > 0,
    anyFinding: ofRule.length > 0,
    expectedLines: file.expected_lines,
    matchedLines: file.expected_lines.filter((l) => matchedLines.has(l)),
    blockMatchedLines: file.expected_lines.filter((l) => matchedLines.has(l) || inBlock(l)),
    findingLines: [...new Set(ofRule.map((h) => h.line))].sort((a, b) => a - b),
  };
}

function counts(files: FileOutcome[], view: "matched" | "anyFinding"): Counts {
  const tally = (expected: boolean, flagged: boolean) =>
    files.filter((f) => f.expected === expected && f[view] === flagged).length;
  const [tp, fp, fn, tn] = [tally(true, true), tally(false, true), tally(true, false), tally(false, false)];
  const positives = files.filter((f) => f.expected);
  const expectedLines = positives.reduce((n, f) => n + f.expectedLines.length, 0);
  const matchedLines = positives.reduce((n, f) => n + f.matchedLines.length, 0);
  const blockMatchedLines = positives.reduce((n, f) => n + f.blockMatchedLines.length, 0);
  const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : a / b);
  return {
    tp,
    fp,
    fn,
    tn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    fpr: ratio(fp, fp + tn),
    expectedLines,
    matchedLines,
    lineRecall: ratio(matchedLines, expectedLines),
    blockMatchedLines,
    blockLineRecall: ratio(blockMatchedLines, expectedLines),
  };
}

/** Findings of a rule on every negative file of the corpus, whatever its class. */
function noiseOf(rule: string, files: ManifestFile[], hits: Map<string, RuleHit[]>): NoiseRow {
  const negatives = files.filter((f) => !f.expected_flagged);
  const flagged = negatives
    .filter((f) => (hits.get(f.file) ?? []).some((h) => h.rule_id === rule))
    .map((f) => f.file);
  return { rule, negativeFiles: negatives.length, flagged: flagged.length, files: flagged };
}

const NOTES = [
  "Whole-rule false positives are findings our standards ask for: every S3 negative sets one access-block " +
    "setting right and leaves another unset or false (a sibling query's positive); the IAM ones grant service:* " +
    'or "*" on a narrow resource or under a condition, which the KICS queries allow and our wildcard standard does not.',
  "Noise counts every negative file of the corpus; a file is negative only for its own query, so most of these " +
    "are true findings (run with --noise to list them).",
  "Two SG readings are fail-safe rather than literal, and the evidence says so: a TCP/UDP range of 0-0 from the " +
    "world counts as every port (AWS applies port 0 only), and an ingress block written inside a security-group " +
    "module call (which Terraform rejects) is judged as an inline rule.",
  "The rules were tuned while reading the whole corpus; there is no held-out split.",
];

const num = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(3));

function countsRow(label: string, c: Counts): string {
  const lines = `${c.matchedLines}/${c.expectedLines} (${num(c.lineRecall)})`;
  const blockLines = `${c.blockMatchedLines}/${c.expectedLines} (${num(c.blockLineRecall)})`;
  return `| ${label} | ${c.tp} | ${c.fp} | ${c.fn} | ${c.tn} | ${num(c.precision)} | ${num(c.recall)} | ${num(c.fpr)} | ${lines} | ${blockLines} |`;
}

const HEADER = [
  "| | TP | FP | FN | TN | precision | recall | FPR | lines, exact | lines, same block |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
];

export function terraformMarkdown(result: TerraformCorpusResult): string {
  const out = [
    `## Terraform corpus (KICS, ${result.filesMeasured} HCL files; ${result.skippedPlanJson} plan-JSON files skipped)`,
    "",
    "File level, in-scope queries. matched = a finding with the query's aspect; whole rule = any finding of the rule.",
    "Line recall: share of expected lines with a matching finding on the line (exact) or inside the innermost block holding it.",
    "",
    ...HEADER,
  ];
  for (const r of result.rules) {
    out.push(countsRow(`${r.rule} (${r.corpusClass}), matched`, r.matched));
    out.push(countsRow(`${r.rule}, whole rule`, r.wholeRule));
  }
  out.push(
    "",
    "### Per query",
    "",
    "In-scope queries in the matched view; out-of-scope ones in the whole-rule view, for information.",
  );
  out.push("", "| query | scope | TP | FP | FN | TN | lines exact/block/expected | note |");
  out.push("|---|---|---:|---:|---:|---:|---:|---|");
  for (const r of result.rules) {
    for (const q of r.queries) {
      const m = q.inScope ? q.matched : q.wholeRule;
      const lines = q.inScope ? `${m.matchedLines}/${m.blockMatchedLines}/${m.expectedLines}` : "–";
      const scope = q.inScope ? "in" : "out";
      out.push(`| ${q.query} | ${scope} | ${m.tp} | ${m.fp} | ${m.fn} | ${m.tn} | ${lines} | ${q.note} |`);
    }
  }
  out.push(
    "",
    "### Noise: findings on every negative file of the corpus",
    "",
    "| rule | negative files | flagged |",
  );
  out.push("|---|---:|---:|");
  for (const n of result.noise) out.push(`| ${n.rule} | ${n.negativeFiles} | ${n.flagged} |`);
  out.push("", "### Notes", "", ...NOTES.map((n) => `- ${n}`));
  return out.join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? defaultCorporaDir();
  if (!existsSync(path.join(dir, "kics-terraform-aws", "manifest.json"))) {
    console.error(
      `Terraform corpus not found under ${dir}: expected kics-terraform-aws/manifest.json (../shared/corpora).`,
    );
    process.exit(2);
  }
  const result = measureTerraformCorpus(dir);
  console.log(terraformMarkdown(result));
  if (process.argv.includes("--files")) console.log(JSON.stringify(result.rules, null, 1));
  if (process.argv.includes("--noise")) for (const n of result.noise) console.log(n.rule, n.files);
}
