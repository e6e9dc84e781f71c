import type { z } from "zod";
import type { Connectors } from "../../connectors/types.js";

/** What a tool knows while it runs: never a credential, only the trace it belongs to. */
export interface ToolContext {
  traceId: string;
}

/**
 * A narrow, typed capability. The gateway decides on its (parsed) arguments; only then does
 * `execute` reach a connector. `outboundText` names the argument that leaves Bridle as
 * human-readable text (a comment, a message) so it is validated for secrets before sending.
 */
export interface ToolDefinition<S extends z.ZodType = z.ZodType, R = unknown> {
  name: string;
  description: string;
  input: S;
  outboundText?: (args: z.infer<S>) => string;
  execute(connectors: Connectors, args: z.infer<S>, ctx: ToolContext): Promise<R>;
  /** For a write that changes infrastructure: how to see, show, bound and undo the change. */
  change?: ChangeSupport<z.infer<S>>;
}

/**
 * What the gated path needs to know about a write, so a human approves a diff (not a request
 * to trust the agent), blast radius is counted from real resources, and a rollback can undo it.
 */
export interface ChangeSupport<A> {
  /** The resources the call touches (stable ids, e.g. `aws:development:sg-0abc`). */
  resources(args: A): string[];
  /** Whether the call targets production (never within any blast radius). */
  production(args: A): boolean;
  /** A fresh read of those resources' state, with a read-only credential. */
  snapshot(connectors: Connectors, args: A, ctx: ToolContext): Promise<unknown>;
  /** What the call would change, against `snapshot`: shown in dry runs and to approvers. */
  diff(snapshot: unknown, args: A): unknown;
  /** The arguments of the call that undoes this one. */
  inverse(args: A): A;
  /**
   * Differences between the state right after the change and the state now; empty when the
   * resource has not drifted (a rollback is refused when it has).
   */
  drift(after: unknown, now: unknown): string[];
}

export function defineTool<S extends z.ZodType, R>(tool: ToolDefinition<S, R>): ToolDefinition<S, R> {
  return tool;
}
