import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultCorporaDir, measureInjectionCorpus } from "../../../bench/corpus-injection.js";
import { measureSecretsCorpus } from "../../../bench/corpus-secrets.js";

/**
 * Regression floors on the shared external corpora, set a little below the measured figures
 * (see the bench scripts for the tables). A drop below a floor means a rule change cost real
 * detections or added false positives. The corpora live outside the package; without them these
 * tests fail, loudly, rather than pass vacuously.
 */
const dir = defaultCorporaDir();

describe("shared corpora", () => {
  it("are present", () => {
    expect(
      existsSync(dir),
      `corpora folder missing: ${dir} (expected ../shared/corpora next to the package)`,
    ).toBe(true);
  });
});

describe("secrets corpus", () => {
  it("keeps precision and recall above the floors", () => {
    const report = measureSecretsCorpus(dir);
    expect(report.strict.overall.precision).toBeGreaterThanOrEqual(0.9);
    expect(report.scoped.overall.precision).toBeGreaterThanOrEqual(0.93);
    expect(report.strict.overall.recall).toBeGreaterThanOrEqual(0.79);
    expect(report.strict.bySource["kics-passwords-and-secrets"]?.fpr).toBeLessThanOrEqual(0.05);
  }, 60_000);
});

describe("prompt-injection corpus", () => {
  it("keeps precision, recall and false-positive rates within the floors", () => {
    const report = measureInjectionCorpus(dir);
    expect(report.overall.all.precision).toBeGreaterThanOrEqual(0.97);
    expect(report.overall.all.fpr).toBeLessThanOrEqual(0.02);
    expect(report.overall.all.recall).toBeGreaterThanOrEqual(0.49);
    expect(report.overall["held-out"].recall).toBeGreaterThanOrEqual(0.43);
    expect(report.notInjectFpr.all.fpr).toBeLessThanOrEqual(0.02);
    expect(report.multilingual.recall.all.recall).toBeGreaterThanOrEqual(0.08);
  }, 60_000);
});
