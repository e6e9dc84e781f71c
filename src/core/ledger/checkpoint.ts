import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { BridleError } from "../errors.js";
import { canonicalJson } from "./record.js";

/**
 * Signed checkpoints: an Ed25519 signature over the RFC 8785 canonical JSON of `{seq, hash}`,
 * stating that the chain up to `seq` ended in `hash`. A chain an attacker edited and re-hashed
 * end to end is self-consistent; only a signature they cannot produce tells it apart.
 *
 * The shape is the store's contract (`Checkpoint` in store/ledger-store.ts), repeated here as
 * a type so the pure core does not import the store layer.
 */
export interface Checkpoint {
  seq: number;
  hash: string;
  signed_at: string;
  /** SHA-256 (hex) of the signing public key's SPKI DER. */
  key_id: string;
  /** base64 Ed25519 signature over canonicalJson({seq, hash}). */
  signature: string;
}

const ED25519_SIGNATURE_BYTES = 64;
const keyIds = new WeakMap<KeyObject, string>();
const publicKeys = new WeakMap<KeyObject, KeyObject>();

export function assertEd25519(key: KeyObject, role: string): void {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new BridleError(
      "BAD_REQUEST",
      `${role} must be an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`,
    );
  }
}

/** Which key signed: SHA-256 hex of the public key's SPKI DER (memoized per KeyObject). */
export function keyId(publicKey: KeyObject): string {
  const known = keyIds.get(publicKey);
  if (known) return known;
  const der = publicKey.export({ type: "spki", format: "der" });
  const id = createHash("sha256").update(der).digest("hex");
  keyIds.set(publicKey, id);
  return id;
}

/** The exact bytes a checkpoint signs. Nothing else (not signed_at) is covered. */
export function checkpointMessage(head: { seq: number; hash: string }): Buffer {
  return Buffer.from(canonicalJson({ seq: head.seq, hash: head.hash }), "utf8");
}

export function signCheckpoint(
  head: { seq: number; hash: string },
  privateKey: KeyObject,
  signedAt: string,
): Checkpoint {
  assertEd25519(privateKey, "the signing key");
  return {
    seq: head.seq,
    hash: head.hash,
    signed_at: signedAt,
    key_id: keyId(publicKeyOf(privateKey)),
    signature: sign(null, checkpointMessage(head), privateKey).toString("base64"),
  };
}

/** Why `cp` does not verify under `publicKey`, or null when it does. */
export function checkpointProblem(cp: Checkpoint, publicKey: KeyObject): string | null {
  assertEd25519(publicKey, "the verification key");
  if (cp.key_id !== keyId(publicKey)) {
    return `checkpoint at seq ${cp.seq} was signed by another key (key_id ${short(cp.key_id)}, expected ${short(keyId(publicKey))})`;
  }
  if (!verifySignature(checkpointMessage(cp), cp.signature, publicKey)) {
    return `checkpoint at seq ${cp.seq} has an invalid signature`;
  }
  return null;
}

export function verifyCheckpoint(cp: Checkpoint, publicKey: KeyObject): boolean {
  return checkpointProblem(cp, publicKey) === null;
}

/** Ed25519 verification of a base64 signature; false (never a throw) on malformed input. */
export function verifySignature(message: Buffer, signatureB64: string, publicKey: KeyObject): boolean {
  assertEd25519(publicKey, "the verification key");
  if (typeof signatureB64 !== "string") return false;
  const signature = Buffer.from(signatureB64, "base64");
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  return verify(null, message, publicKey, signature);
}

/** Reads an auditor's `--public-key FILE` contents: an SPKI PEM Ed25519 public key. */
export function parsePublicKeyPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch {
    throw new BridleError("BAD_REQUEST", "the public key is not a PEM-encoded key");
  }
  assertEd25519(key, "the public key");
  return key;
}

/** Reads the signing key file's contents (PKCS#8 PEM); the error names `source`, never the key. */
export function parsePrivateKeyPem(pem: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw new BridleError("BAD_REQUEST", `${source} does not hold a PEM-encoded private key`);
  }
  assertEd25519(key, source);
  return key;
}

/** The public half of a private key (memoized, so its key id is computed once). */
export function publicKeyOf(privateKey: KeyObject): KeyObject {
  const known = publicKeys.get(privateKey);
  if (known) return known;
  const derived = createPublicKey(privateKey);
  publicKeys.set(privateKey, derived);
  return derived;
}

function short(id: string): string {
  return typeof id === "string" ? id.slice(0, 16) : String(id);
}
