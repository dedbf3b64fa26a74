/**
 * One catalogue of error codes. Codes are stable strings that tests and logs match on;
 * messages are for people. The HTTP status for each code lives here and nowhere else.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 500,
  BAD_REQUEST: 400,
  MESSAGE_TOO_LONG: 413,
  MESSAGE_EMPTY: 400,
  UNKNOWN_CONVERSATION: 404,
  NOT_FOUND: 404,
  SIGNATURE_INVALID: 401,
  SIGNATURE_REPLAYED: 401,
  UNAUTHORIZED: 401,
  /** No conversation token (REST: `Authorization: Bearer`, socket: `hello.token`). */
  TOKEN_MISSING: 401,
  /** A token that is malformed, not ours, expired or revoked. */
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  /** A valid token for another conversation, or an id reserved for another channel. */
  FORBIDDEN: 403,
  /** A store-signed shopper identity that does not verify (bad signature, expired, wrong shape). */
  IDENTITY_INVALID: 401,
  /** The request's Origin is not in security.allowedOrigins. */
  ORIGIN_FORBIDDEN: 403,
  /** A Teams activity's serviceUrl is not a Bot Framework host, or not the one its token names. */
  SERVICE_URL_REFUSED: 403,
  RATE_LIMITED: 429,
  /** Too many failed logins: the account is locked for a while. */
  ACCOUNT_LOCKED: 429,
  /** Too many open sockets (from this address, or in total). */
  TOO_MANY_CONNECTIONS: 429,
  /** The server is saturated (its turn queue is full, or a turn waited too long): retry after `retryAfterMs`. */
  BUSY: 503,
  CATALOG_ROW_INVALID: 422,
  INPUT_MISSING: 400,
  MODEL_MISSING: 500,
  /** An eval or bench needs a binary, Python module or file that is not installed (said with how to install it). */
  PREREQUISITE_MISSING: 500,
  RETRIEVAL_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  COUPON_INVALID: 422,
  CONFLICT: 409,
  /** An outbound Teams/Slack message failed after bounded retries (logged and counted). */
  CHANNEL_SEND_FAILED: 502,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ShopbotError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ShopbotError';
    this.code = code;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }
}

export class RetrievalUnavailableError extends ShopbotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RETRIEVAL_UNAVAILABLE', message, options);
    this.name = 'RetrievalUnavailableError';
  }
}

/**
 * Over a rate limit, or the server is busy: `retryAfterMs` becomes the Retry-After header (REST)
 * or the error's field (sockets).
 */
export class RateLimitedError extends ShopbotError {
  constructor(
    readonly retryAfterMs: number,
    message: string,
    code: 'RATE_LIMITED' | 'ACCOUNT_LOCKED' | 'TOO_MANY_CONNECTIONS' | 'BUSY' = 'RATE_LIMITED',
  ) {
    super(code, message);
    this.name = 'RateLimitedError';
  }
}

export function isShopbotError(err: unknown): err is ShopbotError {
  return err instanceof ShopbotError;
}

/** The body every HTTP route returns on error: `{ error: { code, message } }`. */
export function errorBody(err: unknown): { status: number; body: { error: { code: string; message: string } } } {
  if (err instanceof ShopbotError) {
    return { status: err.httpStatus, body: { error: { code: err.code, message: err.message } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } };
}
