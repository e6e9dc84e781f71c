import { timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { SandboxCredentials } from "../context.js";
import { BOT_ACCOUNT_ID, type SeedAccount } from "../seed/atlassian.js";

/** What Jira and Confluence share on one Atlassian site: authentication, accounts, time format. */

export function siteBase(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** Basic auth with the site's email and API token, compared in constant time. */
export function authorized(header: string | undefined, credentials: SandboxCredentials): boolean {
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]!, "base64");
  const expected = Buffer.from(`${credentials.JIRA_EMAIL}:${credentials.JIRA_API_TOKEN}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function accountJson(base: string, account: SeedAccount) {
  return {
    self: `${base}/jira/rest/api/3/user?accountId=${encodeURIComponent(account.accountId)}`,
    accountId: account.accountId,
    emailAddress: account.emailAddress,
    displayName: account.displayName,
    active: true,
    timeZone: "Asia/Singapore",
    accountType: "atlassian",
  };
}

export function botAccount(credentials: SandboxCredentials): SeedAccount {
  return {
    accountId: BOT_ACCOUNT_ID,
    displayName: "Bridle Review Bot",
    emailAddress: credentials.JIRA_EMAIL,
  };
}

/** Jira renders times as 2026-05-22T03:00:00.000+0000. */
export function jiraTime(date: Date): string {
  return date.toISOString().replace("Z", "+0000");
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
