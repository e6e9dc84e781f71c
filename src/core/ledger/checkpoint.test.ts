import { createHash, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BridleError } from "../errors.js";
import { keyId, parsePublicKeyPem, signCheckpoint, verifyCheckpoint } from "./checkpoint.js";
import { keyPair } from "./test-support.js";

const { privateKey, publicKey } = keyPair();
const head = { seq: 1000, hash: "c0".repeat(32) };

describe("signed checkpoints", () => {
  it("signs {seq, hash} and verifies under the matching public key", () => {
    const cp = signCheckpoint(head, privateKey, "2026-05-22T09:00:00.000Z");
    expect(cp).toMatchObject({ seq: 1000, hash: head.hash, signed_at: "2026-05-22T09:00:00.000Z" });
    expect(Buffer.from(cp.signature, "base64")).toHaveLength(64);
    expect(verifyCheckpoint(cp, publicKey)).toBe(true);
  });

  it("names the key by the SHA-256 of its SPKI DER", () => {
    const der = publicKey.export({ type: "spki", format: "der" });
    const expected = createHash("sha256").update(der).digest("hex");
    expect(keyId(publicKey)).toBe(expected);
    expect(signCheckpoint(head, privateKey, "t").key_id).toBe(expected);
  });

  it("fails when seq or hash is changed", () => {
    const cp = signCheckpoint(head, privateKey, "t");
    expect(verifyCheckpoint({ ...cp, seq: 1001 }, publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...cp, hash: "c1".repeat(32) }, publicKey)).toBe(false);
  });

  it("fails under another key, even when the key_id is forged to match", () => {
    const cp = signCheckpoint(head, privateKey, "t");
    const other = keyPair();
    expect(verifyCheckpoint(cp, other.publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...cp, key_id: keyId(other.publicKey) }, other.publicKey)).toBe(false);
  });

  it("rejects malformed signatures without throwing", () => {
    const cp = signCheckpoint(head, privateKey, "t");
    expect(verifyCheckpoint({ ...cp, signature: "" }, publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...cp, signature: cp.signature.slice(4) }, publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...cp, signature: "%%%not base64%%%" }, publicKey)).toBe(false);
  });

  it("does not cover signed_at (only {seq, hash} is attested)", () => {
    const cp = signCheckpoint(head, privateKey, "t");
    expect(verifyCheckpoint({ ...cp, signed_at: "later" }, publicKey)).toBe(true);
  });

  it("refuses keys that are not Ed25519", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(() => signCheckpoint(head, rsa.privateKey, "t")).toThrow(BridleError);
    const cp = signCheckpoint(head, privateKey, "t");
    expect(() => verifyCheckpoint(cp, rsa.publicKey)).toThrow(/Ed25519/);
  });

  it("reads an auditor's PEM public key and refuses anything else", () => {
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(keyId(parsePublicKeyPem(pem))).toBe(keyId(publicKey));
    expect(() => parsePublicKeyPem("not a key")).toThrow(/not a PEM-encoded key/);
    const rsaPem = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .publicKey.export({ type: "spki", format: "pem" })
      .toString();
    expect(() => parsePublicKeyPem(rsaPem)).toThrow(/must be an Ed25519 key/);
  });
});
