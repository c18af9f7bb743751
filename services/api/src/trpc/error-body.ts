import { isDatabaseUnavailable } from '@powerbank/db';
import { DomainError, ERROR_TABLE, type ErrorCode } from '@powerbank/domain';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';

export interface ErrorBody {
  code: ErrorCode | string;
  message: string;
  details?: Record<string, unknown>;
  status: number;
}

/** How long a client told the database is busy waits before asking again. */
const DATABASE_RETRY_AFTER_S = 1;

/**
 * The database out of connections or past a deadline (pool acquire, statement, lock timeout,
 * Postgres's "too many clients") is overload, not a fault: 503 with Retry-After, never 500.
 */
export function asDomainError(error: unknown): unknown {
  if (!isDatabaseUnavailable(error)) return error;
  return new DomainError('SERVICE_UNAVAILABLE', 'the service is busy; try again shortly', {
    retryAfterS: DATABASE_RETRY_AFTER_S,
  });
}

/**
 * How a refusal is logged: faults as errors; 503 (overload, a dependency down) as a warning, since
 * a burst of them must not add an error line per request to the load; the rest not at all.
 */
export function logLevelOf(body: ErrorBody): 'error' | 'warn' | undefined {
  if (body.status === 503) return 'warn';
  return body.status >= 500 ? 'error' : undefined;
}

/**
 * How long a client waits after a 503 whose refusal names no time of its own (a provider or
 * station-core unreachable): every 503 is temporary by definition and says when to ask again.
 */
const UNAVAILABLE_RETRY_AFTER_S = 5;

/** The Retry-After header an answer carries when its refusal says when to ask again (every 503 does). */
export function retryAfterHeader(body: ErrorBody): Record<string, string> {
  const named = body.details?.retryAfterS;
  const seconds =
    typeof named === 'number' ? named : body.status === 503 ? UNAVAILABLE_RETRY_AFTER_S : undefined;
  return seconds === undefined ? {} : { 'Retry-After': String(seconds) };
}

/** One description of any error, used by the tRPC formatter and the REST envelope alike. */
export function describeError(error: unknown): ErrorBody {
  const cause = asDomainError(error instanceof TRPCError ? error.cause : error);
  if (cause instanceof DomainError) {
    return {
      code: cause.code,
      message: cause.message,
      details: cause.details,
      status: ERROR_TABLE[cause.code].status,
    };
  }
  if (cause instanceof ZodError) {
    const fields = cause.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    const message = fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ');
    return {
      code: 'VALIDATION_FAILED',
      message: message || 'invalid input',
      details: { fields },
      status: 400,
    };
  }
  if (error instanceof TRPCError) {
    const status = getHTTPStatusCodeFromError(error);
    if (status >= 500) return { code: 'INTERNAL', message: 'internal error', status };
    // A body that is not JSON is bad input like any other, not a separate kind of refusal.
    if (error.code === 'PARSE_ERROR')
      return { code: 'VALIDATION_FAILED', message: error.message, status: 400 };
    const known = Object.entries(ERROR_TABLE).find(([, entry]) => entry.trpc === error.code)?.[0];
    return { code: known ?? error.code, message: error.message, status };
  }
  return { code: 'INTERNAL', message: 'internal error', status: 500 };
}

/**
 * Refusals made by HTTP middleware before any procedure runs (body limit, unknown
 * route, wrong method), named like the rest: table codes where one fits, else the
 * tRPC code of the same meaning.
 */
const HTTP_STATUS_CODES: Record<number, ErrorCode | TRPC_ERROR_CODE_KEY> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_SUPPORTED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

export function describeHttpStatus(status: number, message: string): ErrorBody {
  if (status >= 500 && status !== 503) return { code: 'INTERNAL', message: 'internal error', status };
  return { code: HTTP_STATUS_CODES[status] ?? 'VALIDATION_FAILED', message, status };
}

/** The tRPC code an error body travels under on the tRPC transport. */
export function trpcCodeOf(body: ErrorBody): TRPC_ERROR_CODE_KEY {
  if (body.code in ERROR_TABLE) return ERROR_TABLE[body.code as ErrorCode].trpc;
  if (body.code in TRPC_ERROR_CODES_BY_KEY) return body.code as TRPC_ERROR_CODE_KEY;
  return 'INTERNAL_SERVER_ERROR';
}
