import type { webcrypto } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

type CryptoKey = webcrypto.CryptoKey;

/**
 * A token issuer whose keys the test holds: a JWKS on a loopback port and a signer for any
 * claims, header or key. For the tokens a real IdP will not mint (expired, future `nbf`, wrong
 * audience, forged) and for SPIFFE JWT-SVIDs (SPIRE publishes its bundle as exactly such a JWKS).
 */
export interface JwksIssuer {
  jwksUri: string;
  kid(): string;
  sign(
    claims: JWTPayload,
    options?: { kid?: string; key?: CryptoKey; alg?: string; typ?: string },
  ): Promise<string>;
  /** A key pair the JWKS does not publish (for forged tokens). */
  strayKey(): Promise<CryptoKey>;
  /** The public key as PEM (for the HS256-keyed-with-the-public-key attack). */
  publicKeyPem(): Promise<string>;
  rotate(options?: { keepOld?: boolean }): Promise<void>;
  fetches(): number;
  close(): Promise<void>;
}

interface Key {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

let next = 0;

async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = `k${++next}-${Date.now().toString(36)}`;
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" },
  };
}

export async function startJwksIssuer(): Promise<JwksIssuer> {
  let keys = [await newKey()];
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.url !== "/jwks") {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUri: `http://127.0.0.1:${port}/jwks`,
    kid: () => keys[0]!.kid,
    async sign(claims, options = {}) {
      const key = keys[0]!;
      return new SignJWT(claims)
        .setProtectedHeader({
          alg: options.alg ?? "RS256",
          kid: options.kid ?? key.kid,
          typ: options.typ ?? "JWT",
        })
        .sign(options.key ?? key.privateKey);
    },
    async strayKey() {
      return (await newKey()).privateKey;
    },
    async publicKeyPem() {
      const { exportSPKI } = await import("jose");
      return exportSPKI(keys[0]!.publicKey);
    },
    async rotate(options = {}) {
      const fresh = await newKey();
      keys = options.keepOld ? [fresh, ...keys] : [fresh];
    },
    fetches: () => fetches,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
