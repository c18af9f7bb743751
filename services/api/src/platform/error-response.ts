import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { Context } from 'hono';
import superjson from 'superjson';
import { type ErrorBody, retryAfterHeader, trpcCodeOf } from '../trpc/error-body.ts';

export function isTrpcPath(path: string): boolean {
  return path === '/trpc' || path.startsWith('/trpc/');
}

/** The REST envelope of a refusal: `{ success: false, error: { code, message, details? } }`. */
export function restErrorEnvelope(body: ErrorBody) {
  return {
    success: false as const,
    error: { code: body.code, message: body.message, ...(body.details ? { details: body.details } : {}) },
  };
}

/**
 * A refusal made before any procedure ran (rate limit, body limit, thrown middleware),
 * in the shape the caller's transport understands: the REST envelope on `/api`, a
 * superjson-encoded tRPC error on `/trpc` so the typed client raises a
 * `TRPCClientError` with `data.appCode` like any procedure error. (The batch link
 * spreads one non-array answer over every call of the batch.)
 */
export function errorResponse(c: Context, body: ErrorBody, headers: Record<string, string> = {}): Response {
  const status = body.status as 400;
  headers = { ...retryAfterHeader(body), ...headers };
  if (!isTrpcPath(c.req.path)) return c.json(restErrorEnvelope(body), status, headers);
  const code = trpcCodeOf(body);
  const shape = {
    message: body.message,
    code: TRPC_ERROR_CODES_BY_KEY[code],
    data: { code, httpStatus: body.status, appCode: body.code, details: body.details },
  };
  return c.json({ error: superjson.serialize(shape) }, status, headers);
}
