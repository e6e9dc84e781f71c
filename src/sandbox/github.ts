import type { FastifyInstance } from "fastify";
import type { SandboxCredentials } from "./context.js";

// Placeholder: replaced by the real simulator module.
export type GitHubState = Record<string, never>;
export function seedGitHub(): GitHubState {
  return {};
}
export async function registerGitHub(_app: FastifyInstance, _state: GitHubState, _credentials: SandboxCredentials) {}
