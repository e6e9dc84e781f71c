import type { FastifyInstance } from "fastify";
import type { SandboxCredentials } from "./context.js";

// Placeholder: replaced by the real simulator module.
export type SlackState = Record<string, never>;
export function seedSlack(): SlackState {
  return {};
}
export async function registerSlack(_app: FastifyInstance, _state: SlackState, _credentials: SandboxCredentials) {}
