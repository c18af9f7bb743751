import { TRPCError } from '@trpc/server';
import { createOpenApiNodeHttpHandler, type OpenApiRouter } from 'trpc-to-openapi';

export interface OpenApiCall<TContext> {
  /** The request, its URL already relative to the REST prefix (`http://localhost/app/version`). */
  req: Request;
  createContext: () => TContext;
  onError: (error: TRPCError) => void;
}

/**
 * trpc-to-openapi's own fetch adapter builds a new handler for every request,
 * which outside production regenerates the whole OpenAPI document each time
 * (≈1 ms per request with two procedures, growing with every one added). This
 * builds the node-http handler once and adapts each fetch Request to it the way
 * that adapter does (body parsed up front, a PARSE_ERROR raised only if the
 * procedure reads a body that is not JSON).
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

  return async (call: OpenApiCall<TContext>): Promise<Response> => {
    const body = await readBody(call.req);
    const req = new Proxy(call.req, {
      get: (target, prop) => {
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

    return new Promise<Response>((resolve, reject) => {
      const headers = new Headers();
      let statusCode = 200;
      const res = {
        setHeader(key: string, value: string | string[]) {
          if (typeof value === 'string') headers.set(key, value);
          else for (const v of value) headers.append(key, v);
        },
        get statusCode() {
          return statusCode;
        },
        set statusCode(code: number) {
          statusCode = code;
        },
        end(payload?: string) {
          resolve(new Response(payload, { headers, status: statusCode }));
        },
      };
      (handler as (req: unknown, res: unknown) => Promise<void>)(req, res).catch(reject);
    });
  };
}

type Body = { ok: true; data: unknown } | { ok: false; cause: unknown };

async function readBody(req: Request): Promise<Body> {
  const type = req.headers.get('content-type') ?? '';
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
