import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AppDeps } from '../deps.ts';

// A type alias, not an interface: tRPC adapters require an index-signature-compatible object.
export type Context = {
  requestId: string;
  logger: Logger;
  /** A fresh entity manager per request: no identity map is ever shared between requests. */
  em: EntityManager;
  deps: AppDeps;
};

export function createContext(deps: AppDeps, requestId: string, logger: Logger): Context {
  return { requestId, logger, em: deps.orm.em.fork(), deps };
}
