import { createHash } from 'node:crypto';
import type { Context as HonoContext } from 'hono';
import {
  getInputOutputParsers,
  instanceofZodTypeObject,
  type OpenApiProcedure,
  type OpenApiRouter,
  unwrapZodType,
} from 'trpc-to-openapi';
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
 * without parameters, only 200s, each with a strong ETag (`If-None-Match` → 304).
 * Keyed by path and the query normalised (`cacheKeyOf`): one entry however the
 * client orders or encodes the parameters, and none for a query with a parameter
 * the procedure does not read — clients choose query strings, entries cost memory.
 */
export function restResponseCache(router: OpenApiRouter, cache: StaticCache, observer: RequestObserver) {
  const cachedPaths = new Map<
    string,
    { tables: readonly string[]; maxAgeMs: number | undefined; params: ReadonlySet<string> }
  >();
  for (const procedure of Object.values(router._def.procedures)) {
    const meta = (procedure as { _def: { meta?: ApiMeta } })._def.meta;
    const openapi = meta?.openapi;
    if (!meta?.responseCache || !openapi || openapi.enabled === false || openapi.method !== 'GET') continue;
    if (openapi.path.includes('{')) continue;
    const { inputParser } = getInputOutputParsers(procedure as OpenApiProcedure);
    const input = unwrapZodType(inputParser, true);
    const params = new Set(instanceofZodTypeObject(input) ? Object.keys(input.shape) : []);
    const { tables, maxAgeMs } = meta.responseCache;
    cachedPaths.set(`${REST_PREFIX}${openapi.path}`, { tables, maxAgeMs, params });
  }
  /** The cache key of a GET to `url`, or undefined when its answer is not kept. */
  const keyOf = (url: string) => {
    const { path, query } = pathAndQuery(url);
    const cached = cachedPaths.get(path);
    if (!cached) return undefined;
    const key = cacheKeyOf(path, query, cached.params);
    return key === undefined ? undefined : { path, key, tables: cached.tables, maxAgeMs: cached.maxAgeMs };
  };

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
      const cached = keyOf(request.url);
      if (!cached) return undefined;
      const hit = cache.getResponse(cached.key);
      if (!hit) return undefined;
      const started = performance.now();
      const requestId = validRequestId(headerOf(request, env, 'x-request-id')) ?? crypto.randomUUID();
      const response = send(hit, requestId, headerOf(request, env, 'if-none-match'));
      observer.record({
        method: 'GET',
        route: REST_ROUTE,
        path: cached.path,
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
      const cached = keyOf(c.req.url);
      if (!cached) return undefined;
      const { key, tables, maxAgeMs } = cached;
      const generation = cache.generation;
      return (body) => {
        const response = { body, etag: etagOf(body) };
        cache.putResponse(key, tables, response, generation, maxAgeMs);
        return send(response, c.get('requestId'), requestHeader(c, 'if-none-match'));
      };
    },
  };
}

export type RestResponseCache = ReturnType<typeof restResponseCache>;

/**
 * `path` and the query's parameters decoded, sorted and encoded again, or
 * undefined when a parameter is not one of `known` or comes twice (its answer
 * is served, just not kept). Decoded as the REST adapter decodes them, so two
 * spellings share an entry only when the procedure reads the same input.
 */
export function cacheKeyOf(path: string, query: string, known: ReadonlySet<string>): string | undefined {
  const params = query.length <= 1 ? [] : [...new URLSearchParams(query)];
  if (params.length === 0) return path;
  const names = new Set<string>();
  for (const [name] of params) {
    if (!known.has(name) || names.has(name)) return undefined;
    names.add(name);
  }
  params.sort(([a], [b]) => (a < b ? -1 : 1));
  return `${path}?${new URLSearchParams(params)}`;
}

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
