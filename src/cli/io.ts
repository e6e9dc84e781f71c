import { BridleError } from "../core/errors.js";

/** Exit codes (DESIGN.md › Commands): 0 ok, 1 the check failed, 2 bad usage or input. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Maps any error to an exit code and a one-line message; stacks only with BRIDLE_DEBUG. */
export function exitCodeFor(error: unknown): { code: number; message: string } {
  if (error instanceof CliExit) return { code: error.exitCode, message: error.message };
  if (error instanceof BridleError) {
    const code = error.status === 403 ? EXIT.failed : error.status < 500 ? EXIT.usage : EXIT.failed;
    return { code, message: `${error.code}: ${error.message}` };
  }
  return {
    code: EXIT.failed,
    message: process.env.BRIDLE_DEBUG ? String((error as Error)?.stack) : String(error),
  };
}
