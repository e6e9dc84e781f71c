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
}

export function defineTool<S extends z.ZodType, R>(tool: ToolDefinition<S, R>): ToolDefinition<S, R> {
  return tool;
}
