import { BridleError } from "../core/errors.js";

/**
 * Installation tokens by (repository, action), reused only while they have `marginMs` of life
 * left by our clock. The margin absorbs clock drift between us and GitHub and the length of the
 * action itself (a paginated read runs on the token it started with), so a token is never sent
 * after its `expires_at`. Concurrent callers for the same key share one mint.
 */

export interface MintedToken {
  token: string;
  /** Epoch milliseconds, from GitHub's `expires_at`. */
  expiresAt: number;
}

export interface InstallationTokenCacheOptions {
  now: () => number;
  marginMs: number;
  maxEntries: number;
}

export class InstallationTokenCache {
  private readonly tokens = new Map<string, MintedToken>();
  private readonly minting = new Map<string, Promise<MintedToken>>();

  constructor(private readonly options: InstallationTokenCacheOptions) {}

  /** A token for `key` that is still valid now: the cached one, or one fresh from `mint`. */
  async tokenFor(key: string, mint: () => Promise<MintedToken>): Promise<string> {
    const cached = this.tokens.get(key);
    if (cached && this.reusable(cached)) return cached.token;
    this.tokens.delete(key);
    let pending = this.minting.get(key);
    if (!pending) {
      pending = mint().finally(() => this.minting.delete(key));
      this.minting.set(key, pending);
    }
    const fresh = await pending;
    if (fresh.expiresAt <= this.options.now()) {
      throw new BridleError(
        "UPSTREAM_ERROR",
        "GitHub issued an installation token that had already expired by our clock (check clock drift)",
        { service: "GitHub" },
      );
    }
    if (this.reusable(fresh)) this.remember(key, fresh);
    return fresh.token;
  }

  /** How many tokens are held (for tests). */
  get size(): number {
    return this.tokens.size;
  }

  private reusable(token: MintedToken): boolean {
    return token.expiresAt - this.options.marginMs > this.options.now();
  }

  private remember(key: string, token: MintedToken): void {
    if (this.tokens.size >= this.options.maxEntries) {
      for (const [k, t] of this.tokens) if (!this.reusable(t)) this.tokens.delete(k);
    }
    if (this.tokens.size >= this.options.maxEntries) {
      // Maps iterate in insertion order: drop the oldest.
      const oldest = this.tokens.keys().next().value;
      if (oldest !== undefined) this.tokens.delete(oldest);
    }
    this.tokens.set(key, token);
  }
}
