import type { FastifyInstance } from "fastify";
import type { Bridle } from "../../runtime.js";

export async function healthRoutes(app: FastifyInstance, bridle: Bridle) {
  app.get("/health", async () => ({ status: "ok" }));

  app.get("/ready", async (_request, reply) => {
    const policy = bridle.policy.current();
    const ready = { status: "ready", policy_version: policy.version, policy_sha256: policy.sha256 };
    return reply.code(200).send(ready);
  });
}
