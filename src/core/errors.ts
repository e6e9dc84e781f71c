/**
 * The one catalogue of errors a client can see. Every failure that crosses a face is a
 * BridleError with a stable code; the faces map codes to HTTP status (and problem+json) in one
 * place, so no handler invents its own status and no stack trace leaves the process.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  INVALID_IDENTIFIER: 400,
  VALIDATION_FAILED: 400,
  PROMPT_INJECTION_DETECTED: 400,
  OUTPUT_VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UPSTREAM_NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  UPSTREAM_ERROR: 502,
  UPSTREAM_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 504,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class BridleError extends Error {
  readonly code: ErrorCode;
  /** Safe, structured detail for the client. Never put secrets or upstream bodies here. */
  readonly detail: unknown;

  constructor(code: ErrorCode, message: string, detail?: unknown) {
    super(message);
    this.name = "BridleError";
    this.code = code;
    this.detail = detail;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export function isBridleError(value: unknown): value is BridleError {
  return value instanceof BridleError;
}
