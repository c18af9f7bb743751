import { timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../hono-env.ts';
import { errorResponse } from '../platform/error-response.ts';
import { requestHeader } from '../platform/request-header.ts';
import { describeHttpStatus } from '../trpc/error-body.ts';

/**
 * `GET /metrics` on the api port, for Prometheus. Behind a bearer token when
 * METRICS_TOKEN is set; without one it is public in development and tests, and
 * not served at all in production (the api port faces clients; what the metrics
 * tell — routes, rates, pool use — is for operators).
 */
export function mountMetrics(app: Hono<AppEnv>, deps: AppDeps): void {
  const token = deps.env.METRICS_TOKEN;
  if (!token && deps.env.NODE_ENV === 'production') return;
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  app.get('/metrics', async (c) => {
    if (expected && !sameBytes(requestHeader(c, 'authorization'), expected)) {
      return errorResponse(c, describeHttpStatus(401, 'metrics need the bearer token'), {
        'WWW-Authenticate': 'Bearer',
      });
    }
    c.header('content-type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
}

/** Compares in constant time, so the token cannot be guessed byte by byte from response times. */
function sameBytes(given: string | undefined, expected: Buffer): boolean {
  if (given === undefined) return false;
  const bytes = Buffer.from(given);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}
