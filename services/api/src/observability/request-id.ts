import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../hono-env.ts';
import { requestHeader } from '../platform/request-header.ts';

const MAX_LENGTH = 255;
const UNSAFE = /[^\w\-=]/;

/**
 * Hono's `requestId()` with the same rules (accept a sane incoming
 * X-Request-Id, else a random UUID; echo it on the response), but reading the
 * incoming header through `requestHeader`: the stock middleware's `c.req.header()`
 * materialises the whole header set on every request, cached answers included.
 */
export function requestIdMiddleware(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let id = requestHeader(c, 'x-request-id');
    if (!id || id.length > MAX_LENGTH || UNSAFE.test(id)) id = crypto.randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}
