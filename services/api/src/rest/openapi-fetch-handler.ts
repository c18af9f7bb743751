import { TRPCError } from '@trpc/server';
import { createOpenApiNodeHttpHandler, type OpenApiRouter } from 'trpc-to-openapi';

export interface OpenApiCall<TContext> {
  /** The incoming request (its body is read from here). */
  req: Request;
  /** Path and query relative to the REST prefix (`/app/version?x=1`): what procedures are matched against. */
  target: string;
  /** One request header, lower-case name. */
  header: (name: string) => string | undefined;
  createContext: () => TContext;
  onError: (error: TRPCError) => void;
}

/** What the procedure answered: the status and its JSON as text. */
export interface OpenApiAnswer {
  status: number;
  body: string;
}

/**
 * trpc-to-openapi's own fetch adapter builds a new handler for every request,
 * which outside production regenerates the whole OpenAPI document each time
 * (≈1 ms per request with two procedures, growing with every one added). This
 * builds the node-http handler once and feeds it each request the way that
 * adapter does (body parsed up front, a PARSE_ERROR raised only if the
 * procedure reads a body that is not JSON), without building a WHATWG Request,
 * Headers or Response per call: those cost more than a small procedure. The
 * handler is given a view of the incoming request with its path moved below the
 * REST prefix (it must stay `instanceof Request` for the library's checks).
 */
export function createCachedOpenApiFetchHandler<TContext>(router: OpenApiRouter) {
  const calls = new WeakMap<object, OpenApiCall<TContext>>();
  const handler = createOpenApiNodeHttpHandler({
    router,
    createContext: ({ req }) => callOf(req).createContext(),
    onError: ({ error, req }) => callOf(req).onError(error),
  } as Parameters<typeof createOpenApiNodeHttpHandler>[0]);

  function callOf(req: object): OpenApiCall<TContext> {
    const call = calls.get(req);
    if (!call) throw new Error('request not started by the cached OpenAPI handler');
    return call;
  }

  return async (call: OpenApiCall<TContext>): Promise<OpenApiAnswer> => {
    const body = await readBody(call);
    const headers = { get: (name: string) => call.header(name.toLowerCase()) ?? null };
    const req = new Proxy(call.req, {
      get: (target, prop) => {
        if (prop === 'url') return call.target;
        if (prop === 'headers') return headers;
        if (prop === 'body') {
          if (!body.ok)
            throw new TRPCError({
              code: 'PARSE_ERROR',
              message: 'request body is not valid JSON',
              cause: body.cause,
            });
          return body.data;
        }
        return Reflect.get(target, prop, target);
      },
    });
    calls.set(req, call);

    return new Promise<OpenApiAnswer>((resolve, reject) => {
      let statusCode = 200;
      const res = {
        // The only header the handler sets is Content-Type: application/json, which the envelope keeps.
        setHeader() {},
        get statusCode() {
          return statusCode;
        },
        set statusCode(code: number) {
          statusCode = code;
        },
        end(payload?: string) {
          resolve({ status: statusCode, body: payload ?? '' });
        },
      };
      (handler as (req: unknown, res: unknown) => Promise<void>)(req, res).catch(reject);
    });
  };
}

type Body = { ok: true; data: unknown } | { ok: false; cause: unknown };

async function readBody(call: OpenApiCall<unknown>): Promise<Body> {
  const req = call.req;
  // Never read: GET input comes from the query, and the body limit is not applied to GETs (app.ts).
  if (req.method === 'GET' || req.method === 'HEAD') return { ok: true, data: undefined };
  const type = call.header('content-type') ?? '';
  try {
    if (type.includes('application/json')) {
      const text = await req.text();
      // An empty body is "no input" (e.g. a POST whose input is all optional), not malformed JSON.
      return { ok: true, data: text ? JSON.parse(text) : undefined };
    }
    if (type.includes('application/x-www-form-urlencoded')) {
      const params = new URLSearchParams(await req.text());
      const data: Record<string, string[]> = {};
      for (const key of params.keys()) data[key] = params.getAll(key);
      return { ok: true, data };
    }
    return { ok: true, data: req.body };
  } catch (cause) {
    return { ok: false, cause };
  }
}
