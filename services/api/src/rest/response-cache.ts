import { createHash } from 'node:crypto';
import type { Context as HonoContext, MiddlewareHandler } from 'hono';
import type { OpenApiRouter } from 'trpc-to-openapi';
import type { AppEnv } from '../hono-env.ts';
import { requestHeader } from '../platform/request-header.ts';
import type { CachedResponse, StaticCache } from '../platform/static-cache.ts';
import type { ApiMeta } from '../trpc/trpc.ts';
import { REST_PREFIX } from './rest-adapter.ts';

/**
 * Serialized REST answers of the procedures whose meta names `responseCache`
 * tables, kept in the static cache beside the data they were built from and
 * dropped by the same (NATS) invalidations. A hit is answered before the session
 * lookup, rate limiters, trpc-to-openapi and the tRPC caller: only the request
 * id, logging and metrics middleware run. Only GETs of paths without parameters,
 * only 200s, keyed by path and query string, each with a strong ETag
 * (`If-None-Match` → 304).
 */
export function restResponseCache(router: OpenApiRouter, cache: StaticCache) {
  const tablesByPath = new Map<string, readonly string[]>();
  for (const procedure of Object.values(router._def.procedures)) {
    const meta = (procedure as { _def: { meta?: ApiMeta } })._def.meta;
    const openapi = meta?.openapi;
    if (!meta?.responseCache || !openapi || openapi.enabled === false || openapi.method !== 'GET') continue;
    if (openapi.path.includes('{')) continue;
    tablesByPath.set(`${REST_PREFIX}${openapi.path}`, meta.responseCache.tables);
  }

  const keyOf = (c: HonoContext<AppEnv>): string | undefined => {
    if (c.req.method !== 'GET' || !tablesByPath.has(c.req.path)) return undefined;
    const url = c.req.url;
    const query = url.indexOf('?');
    return query < 0 ? c.req.path : `${c.req.path}${url.slice(query)}`;
  };

  const send = (c: HonoContext<AppEnv>, response: CachedResponse): Response => {
    // All headers in one plain object (X-Request-Id too): no WHATWG Headers is built for a hit.
    const headers = {
      'content-type': 'application/json',
      etag: response.etag,
      'x-request-id': c.get('requestId'),
    };
    if (matchesEtag(requestHeader(c, 'if-none-match'), response.etag)) return c.body(null, 304, headers);
    return c.body(response.body, 200, headers);
  };

  const serve: MiddlewareHandler<AppEnv> = async (c, next) => {
    const key = keyOf(c);
    const hit = key === undefined ? undefined : cache.getResponse(key);
    if (hit) return send(c, hit);
    await next();
  };

  return {
    /** Middleware answering cached GETs; place it after request id and metrics, before everything else. */
    serve,
    /**
     * For the REST adapter: undefined when this request's answer is not cacheable,
     * else `keep`, to call with the successful envelope's JSON once it is built.
     */
    begin(c: HonoContext<AppEnv>): ((body: string) => Response) | undefined {
      const key = keyOf(c);
      if (key === undefined) return undefined;
      const tables = tablesByPath.get(c.req.path) ?? [];
      const generation = cache.generation;
      return (body) => {
        const response = { body, etag: etagOf(body) };
        cache.putResponse(key, tables, response, generation);
        return send(c, response);
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
