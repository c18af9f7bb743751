import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../hono-env.ts';
import { requestHeader } from '../platform/request-header.ts';

const MAX_LENGTH = 255;
const UNSAFE = /[^\w\-=]/;

/**
 * Hono's `requestId()` with the same rules (accept a sane incoming
 * X-Request-Id, else a random UUID), but reading the incoming header through
 * `requestHeader`: the stock middleware's `c.req.header()` materialises the whole
 * header set on every request, cached answers included. It only names the
 * request; `echoRequestId` puts the id on the response.
 */
export function requestIdMiddleware(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('requestId', validRequestId(requestHeader(c, 'x-request-id')) ?? crypto.randomUUID());
    await next();
  };
}

/** An incoming X-Request-Id if it is sane (short, no characters that could forge log lines). */
export function validRequestId(id: string | undefined): string | undefined {
  return !id || id.length > MAX_LENGTH || UNSAFE.test(id) ? undefined : id;
}

/**
 * Echoes the request id on whatever response comes after it. Separate from
 * naming the request because a header set before the response makes Hono build
 * a WHATWG `Headers` for it; answers that set their headers in one plain object
 * (the REST response cache) come before this and include the id themselves.
 */
export function echoRequestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.header('X-Request-Id', c.get('requestId'));
    await next();
  };
}
