import * as crypto from "node:crypto";

/**
 * SHA-256 (hex) of a UTF-8 string. `crypto.hash` (Node ≥ 20.12) hashes in one call without a
 * Hash object per input — measurably faster at a hundred thousand records a second; older
 * Node 20 releases fall back to createHash.
 */
const oneShot: typeof crypto.hash | undefined = typeof crypto.hash === "function" ? crypto.hash : undefined;

export function sha256Hex(text: string): string {
  if (oneShot) return oneShot("sha256", text, "hex");
  return crypto.createHash("sha256").update(text, "utf8").digest("hex");
}
