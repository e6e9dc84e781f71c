import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { packageRoot } from "../../config/paths.js";

/**
 * The ZYX Bank demo repositories as the GitHub simulator serves them. Pull-request contents come
 * from the Terraform fixtures on disk (`src/sandbox/seed/terraform/pr-<n>/`), read when the
 * sandbox starts, so editing a fixture changes what the review sees without touching code.
 */

export interface SeedFile {
  /** Path inside the repository, `/`-separated. */
  path: string;
  content: string;
}

export interface SeedUser {
  login: string;
  id: number;
}

export interface SeedPullRequest {
  number: number;
  title: string;
  body: string;
  author: SeedUser;
  headRef: string;
  createdAt: string;
  /** Files as they are at the head of the PR (added, or changed when the path exists on main). */
  files: SeedFile[];
}

export interface SeedRepository {
  name: string;
  id: number;
  description: string;
  defaultBranch: string;
  /** Files on the default branch. */
  baseFiles: SeedFile[];
  pulls: SeedPullRequest[];
}

export const SEED_OWNER = { login: "zyx-bank", id: 91_442_117 } as const;

const PRIYA: SeedUser = { login: "priya-platform", id: 58_210_034 };
const MARCUS: SeedUser = { login: "marcus-cloudops", id: 61_775_902 };

/** Largest fixture file read; anything bigger is not a hand-written Terraform file. */
const MAX_FIXTURE_BYTES = 512 * 1024;

export function seedRepositories(): SeedRepository[] {
  return [
    {
      name: "platform-infra",
      id: 702_318_554,
      description: "ZYX Bank platform infrastructure (Terraform)",
      defaultBranch: "main",
      baseFiles: BASE_FILES,
      pulls: [
        {
          number: 991,
          title: "CHG-18422: Add S3 bucket, IAM policy, security group rule, and CloudWatch log group",
          body: [
            "Implements change CHG-18422: storage, access and logging for the audit-log export job (development).",
            "",
            "- S3 bucket for the exported audit logs",
            "- IAM policy for the export job",
            "- Security group for the export bastion host",
            "- CloudWatch log group for the export job",
          ].join("\n"),
          author: PRIYA,
          headRef: "feature/chg-18422-audit-export",
          createdAt: "2026-05-21T08:14:03Z",
          files: terraformFixture(991),
        },
        {
          number: 992,
          title: "CHG-18423: Report archive bucket, writer policy, report service access and job logs",
          body: [
            "Implements change CHG-18423 (development); promoted to production under CHG-18425.",
            "",
            "- Archive bucket with public access blocked and KMS encryption",
            "- Writer policy scoped to the reports/ prefix",
            "- HTTPS to the report service from the corporate network only",
            "- Job log group with 90-day retention",
          ].join("\n"),
          author: MARCUS,
          headRef: "feature/chg-18423-report-archive",
          createdAt: "2026-05-21T10:02:41Z",
          files: terraformFixture(992),
        },
        {
          number: 993,
          title: "CHG-18424: Partner ingest landing bucket, pipeline permissions and jump host",
          body: "Implements change CHG-18424: partner file drops land in S3 and the ingest pipeline picks them up.",
          author: PRIYA,
          headRef: "feature/chg-18424-partner-ingest",
          createdAt: "2026-05-21T13:37:12Z",
          files: terraformFixture(993),
        },
        {
          number: 994,
          title: "Regenerate per-team tagging modules",
          body: "Mechanical change: regenerates one tagging module per team (130 files).",
          author: MARCUS,
          headRef: "chore/regenerate-tagging-modules",
          createdAt: "2026-05-22T01:05:55Z",
          files: generatedTaggingModules(130),
        },
      ],
    },
    {
      // A second repository of the same organisation, so tests can show that a token scoped to
      // platform-infra cannot read it.
      name: "payments-gateway",
      id: 702_318_901,
      description: "ZYX Bank payments gateway service configuration",
      defaultBranch: "main",
      baseFiles: [
        {
          path: "README.md",
          content: "# payments-gateway\n\nRuntime configuration of the payments gateway (PCI scope).\n",
        },
      ],
      pulls: [
        {
          number: 17,
          title: "Raise the settlement connection pool to 64",
          body: "Settlement batches queue behind 32 connections at month end.",
          author: MARCUS,
          headRef: "ops/settlement-pool-64",
          createdAt: "2026-05-20T16:45:09Z",
          files: [{ path: "config/settlement-pool.yaml", content: "settlement:\n  pool_size: 64\n" }],
        },
      ],
    },
  ];
}

/** The folder of a PR's Terraform fixture. */
export function terraformFixtureDir(pullNumber: number): string {
  return join(packageRoot(), "src", "sandbox", "seed", "terraform", `pr-${pullNumber}`);
}

/** Every regular file under the PR's fixture folder, sorted by path; none when it does not exist. */
export function terraformFixture(pullNumber: number): SeedFile[] {
  const root = terraformFixtureDir(pullNumber);
  if (!existsSync(root)) return [];
  return walk(root)
    .map((absolute) => ({
      path: relative(root, absolute).split(sep).join("/"),
      content: readFileSync(absolute, "utf8"),
    }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry: Dirent) => {
    const absolute = join(dir, entry.name);
    // Symlinks are skipped so a fixture can never pull in files from outside its folder.
    if (entry.isDirectory()) return walk(absolute);
    if (!entry.isFile() || statSync(absolute).size > MAX_FIXTURE_BYTES) return [];
    return [absolute];
  });
}

/** Many small, valid Terraform files: enough to need several pages of the files API. */
export function generatedTaggingModules(count: number): SeedFile[] {
  return Array.from({ length: count }, (_, i) => {
    const team = `team-${String(i + 1).padStart(3, "0")}`;
    return {
      path: `terraform/modules/tagging/${team}.tf`,
      content: [
        `locals {`,
        `  ${team.replace("-", "_")}_tags = {`,
        `    team        = "${team}"`,
        `    cost_center = "cc-${4100 + i}"`,
        `    managed_by  = "terraform"`,
        `  }`,
        `}`,
        ``,
      ].join("\n"),
    };
  });
}

const BASE_FILES: SeedFile[] = [
  {
    path: "README.md",
    content: [
      "# platform-infra",
      "",
      "Terraform for the ZYX Bank platform accounts. Changes need a CHG ticket in Jira and a",
      "security review before promotion beyond development.",
      "",
    ].join("\n"),
  },
  {
    path: "CODEOWNERS",
    content: "* @zyx-bank/platform-engineering\n/terraform/iam* @zyx-bank/cloud-security\n",
  },
  {
    path: ".github/workflows/terraform-plan.yml",
    content: [
      "name: terraform-plan",
      "on: [pull_request]",
      "permissions:",
      "  contents: read",
      "jobs:",
      "  plan:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - uses: actions/checkout@v4",
      "      - uses: hashicorp/setup-terraform@v3",
      "      - run: terraform -chdir=terraform init -backend=false",
      "      - run: terraform -chdir=terraform validate",
      "",
    ].join("\n"),
  },
];
