import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { BridleError } from "../core/errors.js";

/**
 * A small people directory (`identity.directory_file`): email → groups, for faces where Bridle
 * learns only who someone is, not what they belong to — a Slack button click carries a Slack
 * user, resolved to an email with users.info, and OIDC offers no user-lookup API to find the
 * groups. The file is the authority for those faces; someone not in it decides nothing there.
 *
 * ```yaml
 * prod.approver@zyxbank.example: [grp-ai-prod-approvers]
 * Cloud.Security@zyxbank.example: [grp-ai-security-readonly, grp-ai-prod-approvers]
 * ```
 *
 * Emails are compared without case; two entries for the same address in different cases are
 * an error, not a merge.
 */

/** The groups of an email, or null when the directory does not know it. */
export type Directory = (email: string) => readonly string[] | null;

const email = z
  .string()
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "must be an email address");
const group = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\s,]+$/, "must be a group name (no spaces or commas)");

export const DirectoryFileSchema = z
  .record(z.string(), z.array(group).max(1000))
  .superRefine((entries, ctx) => {
    const seen = new Map<string, string>();
    for (const key of Object.keys(entries)) {
      if (!email.safeParse(key).success) {
        ctx.addIssue({ code: "custom", path: [key], message: "must be an email address" });
        continue;
      }
      const lower = key.toLowerCase();
      const first = seen.get(lower);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: [key], message: `is the same email as ${first}` });
      }
      seen.set(lower, key);
    }
  });

/** Builds a directory from the file's text; `source` names the file in errors. */
export function parseDirectory(text: string, source: string): Directory {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true }) ?? {};
  } catch (error) {
    throw new BridleError(
      "BAD_REQUEST",
      `directory ${source}: YAML syntax: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const parsed = DirectoryFileSchema.safeParse(raw);
  if (!parsed.success) {
    const text = parsed.error.issues
      .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new BridleError("BAD_REQUEST", `directory ${source}: ${text}`);
  }
  const byEmail = new Map<string, readonly string[]>();
  for (const [key, groups] of Object.entries(parsed.data)) {
    byEmail.set(key.toLowerCase(), Object.freeze([...new Set(groups)]));
  }
  return (wanted) => byEmail.get(wanted.trim().toLowerCase()) ?? null;
}

/** Reads and validates the directory file at `path` (already resolved against the config). */
export function loadDirectory(path: string): Directory {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new BridleError("BAD_REQUEST", `directory ${path}: cannot be read (${code})`);
  }
  return parseDirectory(text, path);
}
