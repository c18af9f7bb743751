import type { Context as HonoContext } from 'hono';
import type { OpenApiRouter } from 'trpc-to-openapi';
import type { AppEnv } from '../hono-env.ts';
import { requestFields } from '../observability/logger.ts';
import { restErrorEnvelope } from '../platform/error-response.ts';
import { requestHeader } from '../platform/request-header.ts';
import type { Context, ContextSource } from '../trpc/context.ts';
import { describeError, describeHttpStatus, logLevelOf, retryAfterHeader } from '../trpc/error-body.ts';
import { requestContext } from '../trpc/request-context.ts';
import { createOpenApiCaller } from './openapi-caller.ts';
import type { RestResponseCache } from './response-cache.ts';

/** Where the documented REST paths live; the OpenAPI paths are relative to it. */
export const REST_PREFIX = '/api';

/** A request URL's raw (still percent-encoded) path, and its query from the `?` on (or ''). */
export function pathAndQuery(url: string): { path: string; query: string } {
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  const queryStart = url.indexOf('?', pathStart);
  return queryStart < 0
    ? { path: url.slice(pathStart), query: '' }
    : { path: url.slice(pathStart, queryStart), query: url.slice(queryStart) };
}

/**
 * Serves every documented `/api/...` path by calling the same tRPC procedure
 * (matched by method + path from each procedure's `openapi` meta: `openapi-caller.ts`),
 * then wraps the answer in the REST envelope legacy apps expect:
 * `{ success: true, data }` or `{ success: false, error: { code, message, details } }`.
 */
export function restHandler(source: ContextSource, router: OpenApiRouter, responses?: RestResponseCache) {
  const procedures = createOpenApiCaller<Context>(router);
  return async (c: HonoContext<AppEnv>) => {
    const keep = responses?.begin(c);
    // The path and query below `/api`; the request's own host plays no part.
    const { path: fullPath, query } = pathAndQuery(c.req.url);
    const path = fullPath.slice(REST_PREFIX.length);
    const answer = await procedures.call({
      method: c.req.method,
      target: `${path}${query}`,
      header: (name) => requestHeader(c, name),
      text: () => c.req.raw.text(),
      createContext: () => requestContext(source, c),
    });
    if (answer.status !== 'error') {
      // The procedure's output is already JSON: wrapped as text, not parsed and serialised again.
      const body = `{"success":true,"data":${answer.body || 'null'}}`;
      if (keep && answer.status === 200) return keep(body);
      return c.body(body, answer.status as 200, { 'content-type': 'application/json' });
    }
    let body = describeError(answer.error);
    const headers: Record<string, string> = retryAfterHeader(body);
    if (body.status === 404 && body.code === 'NOT_FOUND') {
      const allowed = procedures.allowedMethods(path);
      if (allowed.length && !allowed.includes(c.req.method)) {
        body = describeHttpStatus(405, `${c.req.method} not allowed here; use ${allowed.join(', ')}`);
        headers.Allow = allowed.join(', ');
      }
    }
    const level = logLevelOf(body);
    if (level) {
      c.get('logger')[level](
        { err: answer.error, code: body.code, input: answer.input, ...requestFields(c.req.raw) },
        'request failed',
      );
    }
    return c.json(restErrorEnvelope(body), body.status as 400, headers);
  };
}
