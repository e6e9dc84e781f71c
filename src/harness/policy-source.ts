import { readFileSync, type StatWatcher, unwatchFile, watchFile } from "node:fs";
import type { Logger } from "pino";
import { BridleError } from "../core/errors.js";
import type { CompiledPolicy } from "../core/policy/compile.js";
import { formatProblems, parsePolicy } from "../core/policy/parse.js";

export interface PolicySource {
  current(): CompiledPolicy;
  path: string;
  /** Re-reads the file now; a bad file keeps the current policy. Returns whether it changed. */
  reload(): { changed: boolean; error: string | null };
  close(): void;
}

export function readPolicyFile(path: string): CompiledPolicy {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new BridleError("BAD_REQUEST", `policy file not readable: ${path}`);
  }
  const result = parsePolicy(text);
  if (!result.ok)
    throw new BridleError("VALIDATION_FAILED", `policy ${path}:\n${formatProblems(result.problems)}`);
  return result.policy;
}

/**
 * Holds the live policy. The file is polled (stat) rather than watched with inotify: editors
 * replace files by rename, which inotify watches lose, and a poll of one stat a second is free.
 * A file that fails to parse never replaces a good policy; the reason is logged and reported.
 */
export function createPolicySource(
  path: string,
  logger: Logger,
  onChange?: (event: { policy: CompiledPolicy | null; error: string | null }) => void,
  pollMs = 1000,
): PolicySource {
  let policy = readPolicyFile(path);
  const reload = () => {
    try {
      const next = readPolicyFile(path);
      if (next.sha256 === policy.sha256) return { changed: false, error: null };
      policy = next;
      logger.info({ policy_version: next.version, policy_sha256: next.sha256 }, "policy reloaded");
      onChange?.({ policy: next, error: null });
      return { changed: true, error: null };
    } catch (error) {
      const message = (error as Error).message;
      logger.error({ reason: message }, "policy reload rejected; keeping the current policy");
      onChange?.({ policy: null, error: message });
      return { changed: false, error: message };
    }
  };
  let watcher: StatWatcher | null = null;
  if (pollMs > 0) watcher = watchFile(path, { interval: pollMs, persistent: false }, () => reload());
  return {
    current: () => policy,
    path,
    reload,
    close: () => {
      if (watcher) unwatchFile(path);
    },
  };
}
