import { generateKeyPair, type KeyObject, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * The GitHub App the simulator knows: its registration (id, public key, the one installation on
 * the demo organisation) and the installation tokens it has issued. The private key never enters
 * the simulator's state; startSandbox hands it to the connector through a 0600 file, as an
 * operator would hand over the PEM GitHub lets them download.
 */

export type Access = "read" | "write";
export type Permissions = Record<string, Access>;

export interface SandboxAppRegistration {
  appId: number;
  clientId: string;
  slug: string;
  /** Verifies App JWTs; the matching private key is the connector's. */
  publicKey: KeyObject;
  installation: {
    id: number;
    /** What the organisation granted the app; a token can be narrowed from this, never widened. */
    permissions: Permissions;
    createdAt: string;
  };
  /** GitHub's installation tokens live one hour; tests may shorten it. */
  tokenTtlMs: number;
}

/** One installation token as issued, for enforcement and for tests to inspect. */
export interface IssuedInstallationToken {
  token: string;
  installationId: number;
  /** Repository names the token may touch; null = every repository of the installation. */
  repositories: string[] | null;
  permissions: Permissions;
  issuedAt: number;
  /** Epoch milliseconds, whole seconds as GitHub reports them. Tests may move it into the past. */
  expiresAt: number;
}

/** The App's key material as startSandbox hands it out. */
export interface SandboxAppKey {
  publicKey: KeyObject;
  /** PKCS#1 PEM, the format GitHub's "Generate a private key" download uses. */
  privateKeyPem: string;
  /** A 0600 file holding `privateKeyPem` inside a fresh 0700 temp folder. */
  privateKeyFile: string;
  /** Removes the key file and its folder. */
  dispose(): void;
}

export const SANDBOX_APP_ID = 1_042_317;
export const SANDBOX_INSTALLATION_ID = 58_771_209;

const ONE_HOUR_MS = 60 * 60 * 1000;
const generateRsaKeyPair = promisify(generateKeyPair);

export async function createSandboxAppKey(): Promise<SandboxAppKey> {
  const { publicKey, privateKey } = await generateRsaKeyPair("rsa", { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const dir = mkdtempSync(join(tmpdir(), "bridle-sandbox-github-app-"));
  const privateKeyFile = join(dir, "github-app.private-key.pem");
  writeFileSync(privateKeyFile, privateKeyPem, { mode: 0o600 });
  return {
    publicKey,
    privateKeyPem,
    privateKeyFile,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function sandboxAppRegistration(publicKey: KeyObject): SandboxAppRegistration {
  return {
    appId: SANDBOX_APP_ID,
    clientId: "Iv23liBridleSandbox01",
    slug: "bridle-sandbox",
    publicKey,
    installation: {
      id: SANDBOX_INSTALLATION_ID,
      // Enough to read a change and post an advisory comment on it; nothing that could merge or push.
      permissions: { metadata: "read", contents: "read", pull_requests: "write" },
      createdAt: "2026-05-01T09:00:00Z",
    },
    tokenTtlMs: ONE_HOUR_MS,
  };
}

/** A `ghs_` token with 36 random base62 characters, like GitHub's (classic format). */
export function newInstallationToken(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(36);
  return `ghs_${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("")}`;
}

export function grants(held: Access | undefined, wanted: Access): boolean {
  return held === "write" || (held === "read" && wanted === "read");
}

/** GitHub's timestamp format: ISO 8601 in UTC without milliseconds. */
export function githubTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
