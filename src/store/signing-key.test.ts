import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BridleError } from "../core/errors.js";
import { keyId, parsePublicKeyPem, signCheckpoint, verifyCheckpoint } from "../core/ledger/checkpoint.js";
import { loadOrCreateSigningKey, publicKeyPem } from "./signing-key.js";

const posix = process.platform !== "win32";
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "bridle-key-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("loadOrCreateSigningKey", () => {
  it("generates an Ed25519 key on first use, in a 0700 folder, as a 0600 PKCS#8 PEM", () => {
    const path = join(root, "nested", "audit-signing-key.pem");
    const key = loadOrCreateSigningKey(path);
    expect(key.created).toBe(true);
    expect(key.privateKey.asymmetricKeyType).toBe("ed25519");
    expect(readFileSync(path, "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    if (posix) {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(root, "nested")).mode & 0o777).toBe(0o700);
    }
    expect(readdirSync(join(root, "nested"))).toEqual(["audit-signing-key.pem"]); // no temp file left
  });

  it("loads the same key on every later start", () => {
    const path = join(root, "key.pem");
    const first = loadOrCreateSigningKey(path);
    const second = loadOrCreateSigningKey(path);
    expect(second.created).toBe(false);
    expect(keyId(second.publicKey)).toBe(keyId(first.publicKey));
    const cp = signCheckpoint({ seq: 1, hash: "aa".repeat(32) }, second.privateKey, "t");
    expect(verifyCheckpoint(cp, first.publicKey)).toBe(true);
  });

  it.runIf(posix)("refuses a key file that group or others can read", () => {
    const path = join(root, "key.pem");
    loadOrCreateSigningKey(path);
    chmodSync(path, 0o644);
    expect(() => loadOrCreateSigningKey(path)).toThrow(/readable by group or others \(mode 644\).*chmod 600/);
    chmodSync(path, 0o640);
    expect(() => loadOrCreateSigningKey(path)).toThrow(BridleError);
  });

  it("refuses a file that is not an Ed25519 private key, without echoing its contents", () => {
    const path = join(root, "key.pem");
    writeFileSync(path, "SECRET-LOOKING-GARBAGE", { mode: 0o600 });
    expect(() => loadOrCreateSigningKey(path)).toThrow(/does not hold a PEM-encoded private key/);
    try {
      loadOrCreateSigningKey(path);
    } catch (error) {
      expect((error as Error).message).not.toContain("GARBAGE");
    }
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    writeFileSync(path, rsa, { mode: 0o600 });
    expect(() => loadOrCreateSigningKey(path)).toThrow(/must be an Ed25519 key/);
  });

  it("refuses a directory in place of the key file", () => {
    expect(() => loadOrCreateSigningKey(root)).toThrow(/not a regular file/);
  });
});

describe("loadOrCreateSigningKey: replicas starting together", () => {
  it("ends with one key that every process loads", async () => {
    const path = join(root, "shared", "key.pem");
    const module = fileURLToPath(new URL("./signing-key.ts", import.meta.url));
    const script = `import { loadOrCreateSigningKey } from ${JSON.stringify(module)};
import { keyId } from ${JSON.stringify(fileURLToPath(new URL("../core/ledger/checkpoint.ts", import.meta.url)))};
const k = loadOrCreateSigningKey(${JSON.stringify(path)});
process.stdout.write(keyId(k.publicKey) + " " + k.created);`;
    const run = () =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: fileURLToPath(new URL("../..", import.meta.url)),
      });
    const outputs = (await Promise.all(Array.from({ length: 6 }, run))).map((o) => o.stdout.split(" "));
    expect(new Set(outputs.map(([id]) => id)).size).toBe(1);
    expect(outputs.filter(([, created]) => created === "true")).toHaveLength(1);
    expect(outputs[0]![0]).toBe(keyId(loadOrCreateSigningKey(path).publicKey));
  });
});

describe("publicKeyPem", () => {
  it("prints an SPKI PEM an auditor can load to verify checkpoints", () => {
    const key = loadOrCreateSigningKey(join(root, "key.pem"));
    const pem = publicKeyPem(key.publicKey);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(pem).not.toMatch(/PRIVATE/);
    const auditorKey = parsePublicKeyPem(pem);
    const cp = signCheckpoint({ seq: 7, hash: "bb".repeat(32) }, key.privateKey, "t");
    expect(verifyCheckpoint(cp, auditorKey)).toBe(true);
  });
});
