import type { LoadedConfig } from "../config/load.js";
import { resolveFrom } from "../config/load.js";
import type { Clock, TraceIdSource } from "../harness/deps.js";
import type { PolicySource } from "../harness/policy-source.js";
import { createTokenExchange } from "../harness/token-exchange.js";
import type { AuditSink } from "../store/audit-sink.js";
import type { IdentityStore } from "../store/identity-store.js";
import { loadOrCreateSigningKey } from "../store/signing-key.js";
import { type Authenticator, createAuthenticator } from "./authenticator.js";
import { DelegationTokens } from "./delegation-tokens.js";

export interface Identity {
  authenticator: Authenticator;
  exchange: ReturnType<typeof createTokenExchange>;
  store: IdentityStore;
}

/** Wires the identity layer: delegation key, verifiers, the exchange service. */
export function createIdentity(deps: {
  loaded: LoadedConfig;
  store: IdentityStore;
  policy: PolicySource;
  workflows: readonly string[];
  audit: AuditSink;
  clock: Clock;
  newTraceId: TraceIdSource;
}): Identity {
  const config = deps.loaded.config.identity;
  const key = loadOrCreateSigningKey(resolveFrom(deps.loaded.baseDir, config.delegation.signing_key));
  const tokens = new DelegationTokens(key.privateKey, key.publicKey);
  const authenticator = createAuthenticator({
    config,
    delegations: tokens,
    store: deps.store,
    now: () => deps.clock.now(),
  });
  const exchange = createTokenExchange({
    identity: config,
    authenticator,
    tokens,
    store: deps.store,
    policy: deps.policy,
    workflows: deps.workflows,
    audit: deps.audit,
    clock: deps.clock,
    newTraceId: deps.newTraceId,
  });
  return { authenticator, exchange, store: deps.store };
}
