import type { FastifyInstance } from "fastify";
import type { SandboxCredentials } from "./context.js";

// Placeholder: replaced by the real simulator module.
export type AwsState = Record<string, never>;
export function seedAws(): AwsState {
  return {};
}
export async function registerAws(_app: FastifyInstance, _state: AwsState, _credentials: SandboxCredentials) {}
