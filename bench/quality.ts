import { existsSync } from "node:fs";
import { join } from "node:path";
import { injectionMarkdown, measureInjectionCorpus } from "./corpus-injection.js";
import { measureSecretsCorpus, secretsMarkdown } from "./corpus-secrets.js";
import { defaultCorporaDir, measureTerraformCorpus, terraformMarkdown } from "./corpus-terraform.js";

/** Detector and analyzer quality on the shared corpora, as markdown for BENCHMARKS.md. */
export async function qualitySection(dir = defaultCorporaDir()): Promise<string> {
  if (!existsSync(join(dir, "kics-terraform-aws", "manifest.json"))) {
    return `## Quality on the corpora\n\nCorpora not found at ${dir}; not measured in this run.\n`;
  }
  return [
    "## Quality on the corpora",
    "",
    "Commands: `npx tsx bench/corpus-terraform.ts`, `npx tsx bench/corpus-secrets.ts`, `npx tsx bench/corpus-injection.ts`.",
    "",
    "### Terraform rules (KICS AWS cases)",
    "",
    terraformMarkdown(measureTerraformCorpus(dir)),
    "",
    "### Secret detection",
    "",
    secretsMarkdown(measureSecretsCorpus(dir)),
    "",
    "### Prompt-injection scanning",
    "",
    injectionMarkdown(measureInjectionCorpus(dir)),
    "",
  ].join("\n");
}
