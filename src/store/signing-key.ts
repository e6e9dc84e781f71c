import { generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { BridleError } from "../core/errors.js";
import { parsePrivateKeyPem, publicKeyOf } from "../core/ledger/checkpoint.js";

/**
 * The ledger's Ed25519 signing key (`audit.signing_key`), created on first start.
 *
 * Written as PKCS#8 PEM with mode 0600 in a folder created 0700. Creation is atomic and never
 * overwrites: the key goes to a private temporary file, is fsynced, then hard-linked into
 * place, which fails if another process (a second replica starting at the same moment) got
 * there first — that process's key is then loaded instead, so there is only ever one key.
 * An existing key file that group or others can read is refused: a key anyone on the host
 * could have copied no longer proves anything.
 */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** True when this call generated the key. */
  created: boolean;
}

export function loadOrCreateSigningKey(path: string): SigningKey {
  if (exists(path)) return loadKey(path);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  if (!installNew(path, pem)) return loadKey(path);
  return { privateKey, publicKey: publicKeyOf(privateKey), created: true };
}

/** The public key as SPKI PEM: what `bridle audit public-key` prints for auditors. */
export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: "spki", format: "pem" }).toString();
}

function loadKey(path: string): SigningKey {
  const stats = statSync(path);
  if (!stats.isFile())
    throw new BridleError("BAD_REQUEST", `audit signing key ${path} is not a regular file`);
  // POSIX permission bits only: Windows reports synthetic modes and guards files with ACLs.
  if (process.platform !== "win32" && (stats.mode & 0o077) !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(3, "0");
    throw new BridleError(
      "BAD_REQUEST",
      `audit signing key ${path} is readable by group or others (mode ${mode}); restrict it with: chmod 600 ${path}`,
    );
  }
  const privateKey = parsePrivateKeyPem(readFileSync(path, "utf8"), `audit signing key ${path}`);
  return { privateKey, publicKey: publicKeyOf(privateKey), created: false };
}

/** Writes `pem` to `path` unless it exists; false when another writer won the race. */
function installNew(path: string, pem: string): boolean {
  const temp = join(dirname(path), `.signing-key-${process.pid}-${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, pem);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    syncDirectory(dirname(path));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/** Makes the new directory entry durable too; best effort where directories cannot be opened. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Windows cannot open a directory; the key file itself was fsynced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
