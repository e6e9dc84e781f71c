import type { FastifyInstance } from "fastify";
import type { Bridle } from "../../runtime.js";

export async function healthRoutes(app: FastifyInstance, bridle: Bridle) {
  app.get("/health", async () => ({ status: "ok" }));

  // Ready = the policy is loaded and the ledger's store answers (DESIGN.md › HTTP).
  app.get("/ready", async (_request, reply) => {
    const policy = bridle.policy.current();
    try {
      await bridle.ledger.store.head();
    } catch {
      return reply.code(503).send({ status: "not ready", reason: "audit store unreachable" });
    }
    return reply
      .code(200)
      .send({ status: "ready", policy_version: policy.version, policy_sha256: policy.sha256 });
  });
}
