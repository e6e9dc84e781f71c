import Fastify, { type FastifyBaseLogger } from "fastify";
import { BridleError } from "../core/errors.js";
import type { Bridle } from "../runtime.js";
import { sendError } from "./errors.js";
import { auditRoutes } from "./routes/audit.js";
import { healthRoutes } from "./routes/health.js";
import { reviewChangeRoute } from "./routes/review-change.js";

/** The HTTP face: parsing, limits and error mapping; every decision is the services' job. */
export async function buildServer(bridle: Bridle) {
  const app = Fastify({
    loggerInstance: bridle.logger.child({ component: "http" }) as FastifyBaseLogger,
    bodyLimit: bridle.config.server.body_limit_bytes,
    requestTimeout: 120_000,
    return503OnClosing: true,
  });
  // JSON only: Fastify's default text/plain parser would let a non-JSON body reach the routes.
  app.removeContentTypeParser("text/plain");
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new BridleError("NOT_FOUND", `no route for ${request.method} ${request.url.split("?")[0]}`),
    ),
  );
  await app.register(async (scope) => healthRoutes(scope, bridle));
  await app.register(async (scope) => reviewChangeRoute(scope, bridle));
  await app.register(async (scope) => auditRoutes(scope, bridle));
  return app;
}
