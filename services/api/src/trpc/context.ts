import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AppDeps } from '../deps.ts';
import type { LiveHub } from '../modules/live/live-hub.ts';
import type { StationDirectorySource } from '../modules/stations/station-directory.source.ts';
import type { Uploads } from '../modules/uploads/upload.service.ts';
import type { SessionAuth } from '../platform/session.ts';
import type { StaticCache } from '../platform/static-cache.ts';

// A type alias, not an interface: tRPC adapters require an index-signature-compatible object.
export type Context = {
  requestId: string;
  /** Carries `reqId`, so every line a procedure logs can be joined to its request line. */
  logger: Logger;
  /** A fresh entity manager per request (forked when first read): no identity map is ever shared between requests. */
  em: EntityManager;
  deps: AppDeps;
  /** This instance's cache of static tables, invalidated across instances over NATS. */
  staticCache: StaticCache;
  /** This instance's in-memory station directory (nearby search). */
  stations: StationDirectorySource;
  /** Upload storage and limits. */
  uploads: Uploads;
  /** This instance's fan-out of core and rental events (live subscriptions). */
  live: LiveHub;
  /** The caller's session, user and admin role, validated by the session middleware; null when anonymous. */
  auth: SessionAuth | null;
  /** Client IP and user agent, for audit rows and OTP send limits. */
  client: ClientInfo;
};

export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

/** What every request's context is built from: the app's dependencies plus what createApp made of them. */
export interface ContextSource {
  deps: AppDeps;
  staticCache: StaticCache;
  stations: StationDirectorySource;
  uploads: Uploads;
  live: LiveHub;
}

export function createContext(
  source: ContextSource,
  requestId: string,
  logger: Logger,
  auth: SessionAuth | null = null,
  client: ClientInfo = { ip: 'unknown', userAgent: null },
): Context {
  let em: EntityManager | undefined;
  return {
    auth,
    client,
    requestId,
    logger,
    // Forked on first read: answers from memory (nearby, cached tables) need none.
    get em() {
      em ??= source.deps.orm.em.fork();
      return em;
    },
    deps: source.deps,
    staticCache: source.staticCache,
    stations: source.stations,
    uploads: source.uploads,
    live: source.live,
  };
}
