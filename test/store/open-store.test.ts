import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BridleError } from "../../src/core/errors.js";
import { openLedgerStore } from "../../src/store/open-store.js";

describe("openLedgerStore", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bridle-open-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("puts sqlite:<relative path> under the base folder", async () => {
    const store = await openLedgerStore("sqlite:.bridle/bridle.db", dir);
    expect(store.kind).toBe("sqlite");
    await store.close();
    expect(existsSync(join(dir, ".bridle", "bridle.db"))).toBe(true);
  });

  it("takes an absolute sqlite path as it is, with or without sqlite://", async () => {
    for (const url of [`sqlite:${dir}/a.db`, `sqlite://${dir}/b.db`]) {
      const store = await openLedgerStore(url, "/nonexistent");
      await store.close();
    }
    expect(existsSync(join(dir, "a.db")) && existsSync(join(dir, "b.db"))).toBe(true);
  });

  it("opens a private in-memory ledger for sqlite::memory:", async () => {
    const store = await openLedgerStore("sqlite::memory:", dir);
    expect(await store.head()).toBeNull();
    await store.close();
    expect(existsSync(join(dir, ":memory:"))).toBe(false);
  });

  it.each(["mysql://localhost/bridle", "file:bridle.db", "", "sqlite:", "SQLITE:x.db", "http://x"])(
    "refuses %j with a BAD_REQUEST that names the accepted forms",
    async (url) => {
      const error = await openLedgerStore(url, dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BridleError);
      expect((error as BridleError).code).toBe("BAD_REQUEST");
      expect((error as BridleError).message).toMatch(/sqlite:/);
    },
  );
});
