import type { FastifyInstance } from "fastify";
import { OAuthError } from "../../harness/token-exchange.js";
import type { Bridle } from "../../runtime.js";

/**
 * `POST /v1/token/exchange` (RFC 8693). OAuth clients send a form; JSON is accepted too. Errors
 * carry OAuth's `error`/`error_description` inside the problem+json body every other route
 * uses, so both kinds of client find what they look for. Responses are never cached (RFC 6749
 * §5.1): they carry a bearer token.
 */
export async function tokenExchangeRoute(app: FastifyInstance, bridle: Bridle) {
  app.post("/v1/token/exchange", async (request, reply) => {
    reply.header("cache-control", "no-store").header("pragma", "no-cache");
    try {
      return await bridle.identity.exchange(request.body, request.headers);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.status === 401)
        reply.header("www-authenticate", 'Bearer realm="bridle", error="invalid_client"');
      return reply
        .code(error.status)
        .type("application/problem+json")
        .send({
          type: `https://bridle.dev/errors/oauth-${error.error.replaceAll("_", "-")}`,
          title: error.status === 401 ? "Unauthorized" : "Bad Request",
          status: error.status,
          detail: error.message,
          error: error.error,
          error_description: error.message,
        });
    }
  });
}
