import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/**
 * One request header (`name` in lower case), read from Node's parsed headers when
 * the request came through @hono/node-server. `c.req.header()` would build a
 * WHATWG `Headers` copy of every header first, which on the cached-answer path
 * costs more than the rest of the request. In-process calls (`app.request` in
 * tests) have no Node request and take the standard route.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  return headerOf(c.req.raw, c.env, name);
}

/** `requestHeader` for a request not (yet) in a Hono context: the request and node-server's `env`. */
export function headerOf(request: Request, env: unknown, name: string): string | undefined {
  const incoming = (env as Partial<HttpBindings> | undefined)?.incoming;
  if (!incoming) return request.headers.get(name) ?? undefined;
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
