import { createHash } from 'node:crypto';
import type { Context as HonoContext } from 'hono';
import type { OpenApiRouter } from 'trpc-to-openapi';
import type { AppEnv } from '../hono-env.ts';
import { validRequestId } from '../observability/request-id.ts';
import type { RequestObserver } from '../observability/request-observer.ts';
import { headerOf, requestHeader } from '../platform/request-header.ts';
import type { CachedResponse, StaticCache } from '../platform/static-cache.ts';
import type { ApiMeta } from '../trpc/trpc.ts';
import { pathAndQuery, REST_PREFIX } from './rest-adapter.ts';

/** The metrics route label of every REST answer (the REST adapter's catch-all). */
const REST_ROUTE = `${REST_PREFIX}/*`;

/**
 * Serialized REST answers of the procedures whose meta names `responseCache`
 * tables, kept in the static cache beside the data they were built from and
 * dropped by the same (NATS) invalidations. A hit is answered before Hono
 * routes the request (`answer`, called by the app's `fetch`): no middleware
 * step, session lookup, rate limiter, trpc-to-openapi or tRPC caller runs, and
 * it names, times and logs itself like any other request. Only GETs of paths
 * without parameters, only 200s, keyed by path and query string, each with a
 * strong ETag (`If-None-Match` → 304).
 */
export function restResponseCache(router: OpenApiRouter, cache: StaticCache, observer: RequestObserver) {
  const tablesByPath = new Map<string, readonly string[]>();
  for (const procedure of Object.values(router._def.procedures)) {
    const meta = (procedure as { _def: { meta?: ApiMeta } })._def.meta;
    const openapi = meta?.openapi;
    if (!meta?.responseCache || !openapi || openapi.enabled === false || openapi.method !== 'GET') continue;
    if (openapi.path.includes('{')) continue;
    tablesByPath.set(`${REST_PREFIX}${openapi.path}`, meta.responseCache.tables);
  }

  const send = (response: CachedResponse, requestId: string, ifNoneMatch: string | undefined) => {
    // All headers in one plain object (X-Request-Id too): no WHATWG Headers is built for a hit.
    const headers = { 'content-type': 'application/json', etag: response.etag, 'x-request-id': requestId };
    return matchesEtag(ifNoneMatch, response.etag)
      ? new Response(null, { status: 304, headers })
      : new Response(response.body, { status: 200, headers });
  };

  return {
    /**
     * The cached answer to `request`, or undefined to route it as usual. Runs
     * before Hono: the path is read from the URL as the client sent it, so a
     * spelling Hono would normalise (percent-encoding) simply misses.
     */
    answer(request: Request, env: unknown): Response | undefined {
      if (request.method !== 'GET') return undefined;
      const { path, query } = pathAndQuery(request.url);
      if (!tablesByPath.has(path)) return undefined;
      const hit = cache.getResponse(`${path}${query}`);
      if (!hit) return undefined;
      const started = performance.now();
      const requestId = validRequestId(headerOf(request, env, 'x-request-id')) ?? crypto.randomUUID();
      const response = send(hit, requestId, headerOf(request, env, 'if-none-match'));
      observer.record({
        method: 'GET',
        route: REST_ROUTE,
        path,
        status: response.status,
        started,
        requestId,
      });
      return response;
    },
    /**
     * For the REST adapter: undefined when this request's answer is not cacheable,
     * else `keep`, to call with the successful envelope's JSON once it is built.
     */
    begin(c: HonoContext<AppEnv>): ((body: string) => Response) | undefined {
      if (c.req.method !== 'GET') return undefined;
      // Keyed exactly as `answer` looks it up.
      const { path, query } = pathAndQuery(c.req.url);
      const tables = tablesByPath.get(path);
      if (!tables) return undefined;
      const key = `${path}${query}`;
      const generation = cache.generation;
      return (body) => {
        const response = { body, etag: etagOf(body) };
        cache.putResponse(key, tables, response, generation);
        return send(response, c.get('requestId'), requestHeader(c, 'if-none-match'));
      };
    },
  };
}

export type RestResponseCache = ReturnType<typeof restResponseCache>;

function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => {
    const value = tag.trim();
    return value === etag || value === `W/${etag}`;
  });
}
