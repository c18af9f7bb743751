import type { Context as HonoContext } from 'hono';
import { createOpenApiFetchHandler } from 'trpc-to-openapi';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../hono-env.ts';
import { createContext } from '../trpc/context.ts';
import { describeError } from '../trpc/error-body.ts';
import { rootRouter } from '../trpc/root-router.ts';

/**
 * Serves every documented `/api/...` path by calling the same tRPC procedure
 * (trpc-to-openapi matches method + path from each procedure's `openapi` meta),
 * then wraps the answer in the REST envelope legacy apps expect:
 * `{ success: true, data }` or `{ success: false, error: { code, message, details } }`.
 */
export function restHandler(deps: AppDeps) {
  return async (c: HonoContext<AppEnv>) => {
    let failure: unknown;
    // trpc-to-openapi strips the endpoint with a plain string replace on the whole URL,
    // which would also hit a host name containing "/api" (api.example.com): hand it a fixed origin.
    const url = new URL(c.req.url);
    const response = await createOpenApiFetchHandler({
      endpoint: '/api',
      router: rootRouter,
      req: new Request(`http://localhost${url.pathname}${url.search}`, c.req.raw),
      createContext: () => createContext(deps, c.get('requestId'), c.get('logger')),
      onError: ({ error }) => {
        failure = error;
      },
    });
    if (response.ok) {
      const data = response.status === 204 ? null : await response.json();
      return c.json({ success: true, data }, response.status as 200);
    }
    const body = failure
      ? describeError(failure)
      : {
          code: response.status === 404 ? 'NOT_FOUND' : 'INTERNAL',
          message: response.statusText,
          status: response.status,
        };
    if (body.status >= 500 && body.code === 'INTERNAL')
      c.get('logger').error({ err: failure }, 'request failed');
    const error = {
      code: body.code,
      message: body.message,
      ...(body.details ? { details: body.details } : {}),
    };
    return c.json({ success: false, error }, body.status as 400);
  };
}
