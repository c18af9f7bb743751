/**
 * Every refusal the system can give, defined once. Both transports map a code
 * through ERROR_TABLE: tRPC gets the `trpc` code, REST the HTTP `status`.
 */
export const ERROR_TABLE = {
  VALIDATION_FAILED: { trpc: 'BAD_REQUEST', status: 400 },
  UNAUTHENTICATED: { trpc: 'UNAUTHORIZED', status: 401 },
  FORBIDDEN: { trpc: 'FORBIDDEN', status: 403 },
  NOT_FOUND: { trpc: 'NOT_FOUND', status: 404 },
  CONFLICT: { trpc: 'CONFLICT', status: 409 },
  IDEMPOTENCY_KEY_REUSED: { trpc: 'CONFLICT', status: 409 },
  PAYMENT_REQUIRED: { trpc: 'PAYMENT_REQUIRED', status: 402 },
  INSUFFICIENT_FUNDS: { trpc: 'PAYMENT_REQUIRED', status: 402 },
  BUSINESS_RULE: { trpc: 'UNPROCESSABLE_CONTENT', status: 422 },
  STATION_OFFLINE: { trpc: 'UNPROCESSABLE_CONTENT', status: 422 },
  RENTAL_ALREADY_ACTIVE: { trpc: 'UNPROCESSABLE_CONTENT', status: 422 },
  RATE_LIMITED: { trpc: 'TOO_MANY_REQUESTS', status: 429 },
  /** A wrong or expired OTP code or phone-verification token. */
  OTP_INVALID: { trpc: 'BAD_REQUEST', status: 400 },
  /** Too many wrong codes: the phone is locked for a while (details.retryAfterS). */
  OTP_LOCKED: { trpc: 'TOO_MANY_REQUESTS', status: 429 },
  SERVICE_UNAVAILABLE: { trpc: 'SERVICE_UNAVAILABLE', status: 503 },
  INTERNAL: { trpc: 'INTERNAL_SERVER_ERROR', status: 500 },
} as const;

export type ErrorCode = keyof typeof ERROR_TABLE;
export type TrpcErrorCode = (typeof ERROR_TABLE)[ErrorCode]['trpc'];

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
