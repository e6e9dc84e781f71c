import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Generous: tests that spawn the CLI share two cores with the whole suite; none depends on timing.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
