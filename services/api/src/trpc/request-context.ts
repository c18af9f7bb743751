import type { Context as HonoContext } from 'hono';
import type { AppEnv } from '../hono-env.ts';
import { clientInfo } from '../platform/client-ip.ts';
import { type Context, type ContextSource, createContext } from './context.ts';

/**
 * A procedure's context for the request Hono is answering: its id and logger, the session the
 * session middleware validated, the client's address. One place for the tRPC adapter, the REST
 * adapter and the plain routes that call procedures (live SSE, analytics CSV).
 */
export function requestContext(source: ContextSource, c: HonoContext<AppEnv>): Context {
  return createContext(
    source,
    c.get('requestId'),
    c.get('logger'),
    c.get('auth') ?? null,
    clientInfo(c, source.deps.env.TRUST_PROXY),
  );
}
