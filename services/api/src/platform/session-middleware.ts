import type { ApiEnv } from '@powerbank/config';
import type { MiddlewareHandler } from 'hono';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from '../hono-env.ts';
import { requestHeader } from './request-header.ts';
import { bearerToken, type SessionPolicy, validateSessionToken } from './session.ts';

const DAY_MS = 86_400_000;

export function sessionPolicy(
  env: Pick<ApiEnv, 'SESSION_TTL_DAYS' | 'SESSION_RENEW_WITHIN_DAYS'>,
): SessionPolicy {
  return { ttlMs: env.SESSION_TTL_DAYS * DAY_MS, renewWithinMs: env.SESSION_RENEW_WITHIN_DAYS * DAY_MS };
}

/**
 * Reads `Authorization: Bearer <token>` on both transports and, when it names a
 * live session, sets `auth` (procedures see it as `ctx.auth`) and `userId` (the
 * rate limiters count the user, not the IP). A bad token is not refused here:
 * public procedures still answer, and `authedProcedure` gives the 401.
 */
export function sessionMiddleware(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const policy = sessionPolicy(deps.env);
  return async (c, next) => {
    const token = bearerToken(requestHeader(c, 'authorization'));
    if (token) {
      // The ORM's own entity manager, not a fork: the lookup is one prepared query outside any
      // transaction and hydrates nothing (a renewal forks for its update).
      const auth = await validateSessionToken(deps.orm.em, token, policy);
      if (auth) {
        c.set('auth', auth);
        c.set('userId', auth.user.id);
      }
    }
    await next();
  };
}
