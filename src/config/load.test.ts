import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./load.js";

function dirWith(yaml: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), "bridle-config-"));
  if (yaml !== null) writeFileSync(join(dir, "bridle.yaml"), yaml);
  return dir;
}

describe("loadConfig", () => {
  it("uses the built-in defaults when there is no file", () => {
    const { config, file } = loadConfig(undefined, {}, dirWith(null));
    expect(file).toBeNull();
    expect(config.server).toMatchObject({ host: "127.0.0.1", port: 8080 });
    expect(config.identity.mode).toBe("dev-headers");
    expect(config.connectors.mode).toBe("sandbox");
    expect(config.policy).toBe("policies/tool_policies.yaml");
  });

  it("finds ./bridle.yaml, and BRIDLE_CONFIG wins over it, and --config over both", () => {
    const dir = dirWith("server: { port: 9001 }\n");
    writeFileSync(join(dir, "other.yaml"), "server: { port: 9002 }\n");
    writeFileSync(join(dir, "third.yaml"), "server: { port: 9003 }\n");
    expect(loadConfig(undefined, {}, dir).config.server.port).toBe(9001);
    expect(loadConfig(undefined, { BRIDLE_CONFIG: "other.yaml" }, dir).config.server.port).toBe(9002);
    expect(loadConfig("third.yaml", { BRIDLE_CONFIG: "other.yaml" }, dir).config.server.port).toBe(9003);
  });

  it("applies environment overrides last", () => {
    const dir = dirWith("server: { port: 9001 }\n");
    const { config } = loadConfig(
      undefined,
      {
        BRIDLE_PORT: "7000",
        BRIDLE_HOST: "::1",
        BRIDLE_POLICY: "p.yaml",
        BRIDLE_STORE_URL: "postgres://x@y/z",
      },
      dir,
    );
    expect(config.server).toMatchObject({ port: 7000, host: "::1" });
    expect(config.policy).toBe("p.yaml");
    expect(config.store.url).toBe("postgres://x@y/z");
  });

  it("names an unknown key", () => {
    expect(() => loadConfig(undefined, {}, dirWith("connectors:\n  github: { tokn_env: X }\n"))).toThrow(
      /connectors\.github\.tokn_env/,
    );
  });

  it("names a bad value", () => {
    expect(() => loadConfig(undefined, {}, dirWith("connectors: { mode: production }\n"))).toThrow(
      /connectors\.mode/,
    );
    expect(() => loadConfig(undefined, { BRIDLE_PORT: "eighty" }, dirWith(null))).toThrow(/server\.port/);
  });

  it("refuses a missing explicit file and bad YAML", () => {
    expect(() => loadConfig("nope.yaml", {}, dirWith(null))).toThrow(/not found/);
    expect(() => loadConfig(undefined, {}, dirWith("server: [\n"))).toThrow(/YAML syntax/);
  });
});
