import Fastify, { type FastifyBaseLogger } from "fastify";
import { BridleError } from "../core/errors.js";
import type { Bridle } from "../runtime.js";
import { sendError } from "./errors.js";
import { auditRoutes } from "./routes/audit.js";
import { gatedRoutes } from "./routes/gated.js";
import { healthRoutes } from "./routes/health.js";
import { reviewChangeRoute } from "./routes/review-change.js";
import { slackInteractionsRoute } from "./routes/slack-interactions.js";
import { tokenExchangeRoute } from "./routes/token-exchange.js";

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
  // OAuth's token endpoint speaks forms (RFC 6749 §4.1.3); repeated keys are refused, not merged.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    const form = new URLSearchParams(body as string);
    const out: Record<string, string> = {};
    for (const [key, value] of form) {
      if (Object.hasOwn(out, key)) {
        done(new BridleError("BAD_REQUEST", `form field ${key.slice(0, 40)} is repeated`), undefined);
        return;
      }
      out[key] = value;
    }
    done(null, out);
  });
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
  await app.register(async (scope) => tokenExchangeRoute(scope, bridle));
  await app.register(async (scope) => gatedRoutes(scope, bridle));
  await app.register(async (scope) => slackInteractionsRoute(scope, bridle.slackInteractions));
  return app;
}
