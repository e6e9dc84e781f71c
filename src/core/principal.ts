/**
 * Who is asking. Built by the identity layer (dev headers or a verified token); the gateway
 * trusts nothing else about the caller.
 */
export interface Principal {
  email: string;
  groups: readonly string[];
  deviceCompliant: boolean;
  /** How the identity was established, for the audit record. */
  authenticatedBy: "dev-headers" | "oidc" | "cli";
}
