import type { RateLimitInfo } from 'hono-rate-limiter';
import type { Logger } from 'pino';
import type { SessionAuth } from './platform/session.ts';

/** Variables every request carries through the Hono middleware chain. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    /**
     * The signed-in user, set by the session middleware (which must run before the
     * rate limiters so a user is counted as themself, not as their IP).
     */
    userId?: string;
    /** The validated session behind `Authorization: Bearer …`, if any; procedures see it as `ctx.auth`. */
    auth?: SessionAuth;
    /** Set by hono-rate-limiter on every request it counts. */
    rateLimit?: RateLimitInfo;
  };
}
