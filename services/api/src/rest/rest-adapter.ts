import type { Context as HonoContext } from 'hono';
import type { OpenApiRouter } from 'trpc-to-openapi';
import type { AppEnv } from '../hono-env.ts';
import { clientInfo } from '../platform/client-ip.ts';
import { restErrorEnvelope } from '../platform/error-response.ts';
import { type Context, type ContextSource, createContext } from '../trpc/context.ts';
import { describeError, describeHttpStatus } from '../trpc/error-body.ts';
import { createCachedOpenApiFetchHandler } from './openapi-fetch-handler.ts';
import type { RestResponseCache } from './response-cache.ts';
import { restRouteTable } from './route-table.ts';

/**
 * Serves every documented `/api/...` path by calling the same tRPC procedure
 * (trpc-to-openapi matches method + path from each procedure's `openapi` meta),
 * then wraps the answer in the REST envelope legacy apps expect:
 * `{ success: true, data }` or `{ success: false, error: { code, message, details } }`.
 */
export function restHandler(source: ContextSource, router: OpenApiRouter, responses?: RestResponseCache) {
  const routes = restRouteTable(router);
  const handle = createCachedOpenApiFetchHandler<Context>(router);
  return async (c: HonoContext<AppEnv>) => {
    let failure: unknown;
    const keep = responses?.begin(c);
    // A fixed origin and the path below `/api`: the request's own host plays no part in routing.
    const url = new URL(c.req.url);
    const response = await handle({
      req: new Request(`http://localhost${url.pathname.slice('/api'.length)}${url.search}`, c.req.raw),
      createContext: () =>
        createContext(
          source,
          c.get('requestId'),
          c.get('logger'),
          c.get('auth') ?? null,
          clientInfo(c, source.deps.env.TRUST_PROXY),
        ),
      onError: (error) => {
        failure = error;
      },
    });
    if (response.ok) {
      // The procedure's output is already JSON: wrapped as text, not parsed and serialised again.
      const data = (response.status === 204 ? '' : await response.text()) || 'null';
      const body = `{"success":true,"data":${data}}`;
      if (keep && response.status === 200) return keep(body);
      return c.body(body, response.status as 200, { 'content-type': 'application/json' });
    }
    let body = failure ? describeError(failure) : describeHttpStatus(response.status, response.statusText);
    const headers: Record<string, string> = {};
    if (body.status === 404 && body.code === 'NOT_FOUND') {
      const allowed = routes.allowedMethods(url.pathname.slice('/api'.length));
      if (allowed.length && !allowed.includes(c.req.method)) {
        body = describeHttpStatus(405, `${c.req.method} not allowed here; use ${allowed.join(', ')}`);
        headers.Allow = allowed.join(', ');
      }
    }
    if (body.status >= 500) c.get('logger').error({ err: failure, code: body.code }, 'request failed');
    return c.json(restErrorEnvelope(body), body.status as 400, headers);
  };
}
