import { callTRPCProcedure, TRPCError } from '@trpc/server';
import {
  acceptsRequestBody,
  forEachOpenApiProcedure,
  getInputOutputParsers,
  getPathParameters,
  getPathRegExp,
  instanceofZodTypeCoercible,
  instanceofZodTypeLikeVoid,
  instanceofZodTypeObject,
  instanceofZodTypeOptional,
  normalizePath,
  type OpenApiMethod,
  type OpenApiProcedure,
  type OpenApiRouter,
  unwrapZodType,
} from 'trpc-to-openapi';
import { ZodArray } from 'zod/v4';

export interface OpenApiCall<TContext> {
  method: string;
  /** Path and query relative to the REST prefix (`/app/version?x=1`): what procedures are matched against. */
  target: string;
  /** One request header, lower-case name. */
  header: (name: string) => string | undefined;
  /** The request body as text (only called for methods that carry one). */
  text: () => Promise<string>;
  createContext: () => TContext | Promise<TContext>;
}

/** What the procedure answered: the status and its JSON as text, or the error it failed with. */
export type OpenApiAnswer =
  | { status: number; body: string }
  /** `input`: what the procedure was given, when it got that far (for the failure's log line). */
  | { status: 'error'; error: TRPCError; input?: unknown };

interface Route {
  path: string;
  regExp: RegExp;
  type: 'query' | 'mutation';
  /** No input at all (`z.void()` and the like): nothing is read from the query or body. */
  noInput: boolean;
  /** Query keys whose schema is an array: one `?k=v` still becomes `[v]`. */
  arrayKeys: ReadonlySet<string>;
  /** The output's JSON text (the procedure's `restJson`, else `JSON.stringify`). */
  json: (output: unknown) => string | undefined;
}

/**
 * Serves the documented REST paths by calling their tRPC procedures, with
 * trpc-to-openapi's own rules (its path patterns and their order, its query and
 * path-parameter input, JSON bodies only) but without its per-request work: the
 * library's node handler scans every route's pattern, re-walks the input schema
 * to coerce it and builds a router caller (nested proxies) on each call. Here the
 * routes are resolved once (a static path goes straight to its procedure) and the
 * procedure is called directly. Nothing is coerced: the library's coercion is
 * `Number()` on every number field — of JSON bodies too, and it switches it on in
 * the shared schema, so tRPC calls coerced as well — which made `"0x3E8"` 1000
 * minor units. Query and path fields are text; their schemas read it themselves
 * (`platform/query-input.ts`), and a field that would not is refused here at start. The OpenAPI document still comes from
 * trpc-to-openapi (`platform/openapi.ts`), from the same `openapi` metadata.
 */
export function createOpenApiCaller<TContext>(router: OpenApiRouter) {
  const routes = new Map<string, Route[]>();
  forEachOpenApiProcedure(router._def.procedures, ({ path, procedure, meta }) => {
    const { openapi } = meta;
    const type = procedure._def.type;
    if (type === 'subscription') return;
    const { inputParser } = getInputOutputParsers(procedure as OpenApiProcedure);
    const input = unwrapZodType(inputParser, true);
    const arrayKeys = new Set<string>();
    if (instanceofZodTypeObject(input)) {
      const textKeys = acceptsRequestBody(openapi.method)
        ? new Set(getPathParameters(normalizePath(openapi.path)))
        : undefined;
      for (const [key, shape] of Object.entries(input.shape)) {
        const inner = instanceofZodTypeOptional(shape) ? shape.unwrap() : shape;
        if (inner instanceof ZodArray) arrayKeys.add(key);
        if ((!textKeys || textKeys.has(key)) && instanceofZodTypeCoercible(shape)) {
          throw new Error(
            `${path}: input field "${key}" arrives as text; build it with platform/query-input.ts (queryInt, queryNumber, queryBoolean, inputDate)`,
          );
        }
      }
    }
    const list = routes.get(openapi.method) ?? [];
    list.push({
      path,
      regExp: getPathRegExp(normalizePath(openapi.path)),
      type,
      noInput: instanceofZodTypeLikeVoid(input),
      arrayKeys,
      json: (meta as { restJson?: (output: unknown) => string }).restJson ?? JSON.stringify,
    });
    routes.set(openapi.method, list);
  });

  // A path without parameters resolves to the route the in-order scan would pick for it.
  const staticRoutes = new Map<string, Route>();
  const routeOf = (
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | undefined => {
    const list = routes.get(method);
    if (!list) return undefined;
    const key = `${method} ${path.toLowerCase()}`;
    const known = staticRoutes.get(key);
    if (known) return { route: known, params: {} };
    for (const route of list) {
      const match = route.regExp.exec(path);
      if (!match) continue;
      if (!match.groups) staticRoutes.set(key, route);
      return { route, params: { ...match.groups } };
    }
    return undefined;
  };

  return {
    /** Methods documented for `path` (below the REST prefix), empty when the path is unknown. */
    allowedMethods(path: string): string[] {
      const normalized = normalizePath(path);
      return [...routes]
        .filter(([, list]) => list.some((route) => route.regExp.test(normalized)))
        .map(([method]) => method);
    },

    async call(call: OpenApiCall<TContext>): Promise<OpenApiAnswer> {
      // Appended, not resolved against a base: `//x/app/version` must stay a path, as in the library.
      const url = new URL(`http://api${call.target}`);
      const method = call.method as OpenApiMethod;
      const found = routeOf(method, normalizePath(url.pathname));
      if (!found) {
        // trpc-to-openapi answers an unknown HEAD as a warm-up: 204, no body.
        if (method === ('HEAD' as OpenApiMethod)) return { status: 204, body: '' };
        return { status: 'error', error: new TRPCError({ code: 'NOT_FOUND', message: 'Not found' }) };
      }
      const { route, params } = found;
      let input: unknown;
      try {
        input = await inputOf(call, url, route, params);
        const data = await callTRPCProcedure({
          router,
          path: route.path,
          type: route.type,
          ctx: await call.createContext(),
          getRawInput: async () => input,
          signal: undefined,
          batchIndex: 0,
        });
        return { status: 200, body: route.json(data) ?? '' };
      } catch (cause) {
        return { status: 'error', error: toTrpcError(cause), input };
      }
    },
  };
}

/** The procedure's raw input as trpc-to-openapi builds it: query or JSON body, then path parameters over it. */
async function inputOf(
  call: OpenApiCall<unknown>,
  url: URL,
  route: Route,
  params: Record<string, string>,
): Promise<unknown> {
  const withBody = acceptsRequestBody(call.method as OpenApiMethod);
  const type = call.header('content-type');
  if (withBody && !type?.startsWith('application/json')) {
    throw new TRPCError({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: type ? `Unsupported content-type "${type}` : 'Missing content-type header',
    });
  }
  if (route.noInput) return undefined;
  if (!withBody) return { ...queryOf(url, route.arrayKeys), ...params };
  const text = await call.text();
  let body: unknown;
  try {
    // An empty body is "no input" (e.g. a POST whose input is all optional), not malformed JSON.
    body = text ? JSON.parse(text) : undefined;
  } catch (cause) {
    throw new TRPCError({ code: 'PARSE_ERROR', message: 'request body is not valid JSON', cause });
  }
  return { ...(body as object), ...params };
}

/** `?a=1&b=2&b=3` → `{ a: '1', b: ['2', '3'] }`; a key whose schema is an array is always a list. */
function queryOf(url: URL, arrayKeys: ReadonlySet<string>): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const seen = query[key];
    if (seen === undefined) query[key] = arrayKeys.has(key) ? [value] : value;
    else if (Array.isArray(seen)) seen.push(value);
    else query[key] = [seen, value];
  }
  return query;
}

function toTrpcError(cause: unknown): TRPCError {
  if (cause instanceof TRPCError) return cause;
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'An error occurred', cause });
}
