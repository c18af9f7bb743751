import type { ApiEnv } from '@powerbank/config';
import type { Context, MiddlewareHandler } from 'hono';
import { rateLimiter, type Store } from 'hono-rate-limiter';
import type { AppEnv } from '../hono-env.ts';
import { clientIp } from './client-ip.ts';
import { errorResponse, isTrpcPath } from './error-response.ts';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `/api/auth/...` or a tRPC call (single or batched) to any `auth.*` procedure. */
export function isAuthRequest(path: string): boolean {
  if (path === '/api/auth' || path.startsWith('/api/auth/')) return true;
  if (!isTrpcPath(path)) return false;
  const procedures = decodeURIComponent(path.slice('/trpc/'.length)).split(',');
  return procedures.some((name) => name.startsWith('auth.'));
}

const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/') || isTrpcPath(path);

/**
 * A write the write limit counts: POST/PUT/PATCH/DELETE on `/api` or `/trpc`, auth paths left
 * out — the auth limit (stricter: RATE_LIMIT_AUTH_MAX, 20 a window by default against 120) already
 * counts them, and each counted request is an upsert in the database: a sign-in's steps paid two.
 */
export function isWriteRequest(method: string, path: string): boolean {
  return isApiPath(path) && WRITE_METHODS.has(method.toUpperCase()) && !isAuthRequest(path);
}

/** A GET or HEAD on `/api` or `/trpc` by a caller who is not signed in. */
export function isAnonymousRead(method: string, path: string, userId: string | undefined): boolean {
  return !userId && (method === 'GET' || method === 'HEAD') && isApiPath(path);
}

/** Who is counted: the signed-in user when there is one (many users share a NAT's IP), else the IP. */
export function rateLimitKey(c: Context<AppEnv>, trustProxy: boolean): string {
  const userId = c.get('userId');
  return userId ? `user:${userId}` : `ip:${clientIp(c, trustProxy)}`;
}

export type RateLimitName = 'auth' | 'write' | 'read';

/**
 * Three independent limits over one window: auth paths (any method), other writes
 * (both transports) and anonymous reads (per IP, generous: a flood guard). A
 * request counts against one of them at most. Each limit counts in its own
 * store (`storeFor`): the app keeps auth and write counters in the database,
 * shared by every api process and instance, so that limit is the configured one
 * however many serve; anonymous reads are counted in each process's memory (a
 * database write per read would cost more than most reads, all on one row per
 * IP), so N processes allow up to N times the limit.
 * Cached static answers leave before any of these (`rest/response-cache.ts`).
 */
export function rateLimits(
  env: Pick<
    ApiEnv,
    | 'RATE_LIMIT_WINDOW_MS'
    | 'RATE_LIMIT_AUTH_MAX'
    | 'RATE_LIMIT_WRITE_MAX'
    | 'RATE_LIMIT_READ_MAX'
    | 'TRUST_PROXY'
  >,
  storeFor: (limit: RateLimitName) => Store<AppEnv>,
): MiddlewareHandler<AppEnv>[] {
  const common = {
    windowMs: env.RATE_LIMIT_WINDOW_MS,
    standardHeaders: 'draft-7' as const,
    keyGenerator: (c: Context<AppEnv>) => rateLimitKey(c, env.TRUST_PROXY),
    handler: (c: Context<AppEnv>) => {
      const reset = c.get('rateLimit')?.resetTime?.getTime() ?? Date.now() + env.RATE_LIMIT_WINDOW_MS;
      const retryAfterS = Math.max(1, Math.ceil((reset - Date.now()) / 1000));
      return errorResponse(
        c,
        {
          code: 'RATE_LIMITED',
          message: `too many requests, retry in ${retryAfterS} s`,
          details: { retryAfterS },
          status: 429,
        },
        { 'Retry-After': String(retryAfterS) },
      );
    },
  };
  const auth = rateLimiter<AppEnv>({ ...common, limit: env.RATE_LIMIT_AUTH_MAX, store: storeFor('auth') });
  const write = rateLimiter<AppEnv>({ ...common, limit: env.RATE_LIMIT_WRITE_MAX, store: storeFor('write') });
  const read = rateLimiter<AppEnv>({ ...common, limit: env.RATE_LIMIT_READ_MAX, store: storeFor('read') });
  // Decided before the library is entered (rather than its `skip`): most requests are reads
  // outside both limits, and each limiter step costs a few async hops per request.
  return [
    (c, next) => (isAuthRequest(c.req.path) ? auth(c, next) : next()),
    (c, next) => (isWriteRequest(c.req.method, c.req.path) ? write(c, next) : next()),
    (c, next) => (isAnonymousRead(c.req.method, c.req.path, c.get('userId')) ? read(c, next) : next()),
  ];
}
