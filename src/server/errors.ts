import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { BridleError, type ErrorCode } from "../core/errors.js";

/**
 * The single mapping from errors to HTTP. `/review-change` keeps the reference's FastAPI
 * shape (`{"detail": ...}`); everything else answers RFC 9457 problem+json. Nothing internal —
 * stack, upstream body, SQL — is ever in a response.
 */
const TITLES: Partial<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** Framework errors a client can provoke, mapped to our codes. */
function fromFastify(error: FastifyError): BridleError {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new BridleError("PAYLOAD_TOO_LARGE", "request body is too large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new BridleError("UNSUPPORTED_MEDIA_TYPE", "content type must be application/json");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new BridleError("BAD_REQUEST", "request body is empty");
    default:
      if (error instanceof SyntaxError || error.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
        return new BridleError("BAD_REQUEST", "malformed JSON body");
      }
      if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
        return new BridleError(codeFor(error.statusCode), "bad request");
      }
      return new BridleError("INTERNAL", "internal error");
  }
}

function codeFor(status: number): ErrorCode {
  if (status === 404) return "NOT_FOUND";
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status === 415) return "UNSUPPORTED_MEDIA_TYPE";
  if (status === 429) return "TOO_MANY_REQUESTS";
  return "BAD_REQUEST";
}

export function toBridleError(error: unknown): BridleError {
  if (error instanceof BridleError) return error;
  if (typeof error === "object" && error !== null && "code" in error)
    return fromFastify(error as FastifyError);
  return new BridleError("INTERNAL", "internal error");
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const e = toBridleError(error);
  if (e.status >= 500) request.log.error({ err: error }, "request failed");
  if (e.status === 401) reply.header("www-authenticate", 'Bearer realm="bridle"');
  if (request.url.startsWith("/review-change")) {
    return reply.code(e.status).send({ detail: e.code === "FORBIDDEN" && e.detail ? e.detail : e.message });
  }
  return reply
    .code(e.status)
    .type("application/problem+json")
    .send({
      type: `https://bridle.dev/errors/${e.code.toLowerCase().replaceAll("_", "-")}`,
      title: TITLES[e.status] ?? "Error",
      status: e.status,
      detail: e.message,
      code: e.code,
      ...(e.status < 500 && e.detail !== undefined ? { errors: e.detail } : {}),
    });
}
