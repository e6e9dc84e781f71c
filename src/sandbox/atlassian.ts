import type { FastifyInstance } from "fastify";
import type { SandboxCredentials } from "./context.js";

// Placeholder: replaced by the real simulator module.
export type AtlassianState = Record<string, never>;
export function seedAtlassian(): AtlassianState {
  return {};
}
export async function registerJira(_app: FastifyInstance, _state: AtlassianState, _c: SandboxCredentials) {}
export async function registerConfluence(_app: FastifyInstance, _state: AtlassianState, _c: SandboxCredentials) {}
