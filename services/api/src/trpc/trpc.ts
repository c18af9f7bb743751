import { nodeEnvOf } from '@powerbank/config';
import { DomainError, ERROR_TABLE } from '@powerbank/domain';
import { LIVE_BATCH, liveBatchTransform } from '@powerbank/protocol/live-batch';
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { AdminRole, SessionAuth } from '../platform/session.ts';
import type { Context } from './context.ts';
import { asDomainError, describeError } from './error-body.ts';

/**
 * Procedure metadata: the REST mapping, and for answers that depend only on
 * static tables, which ones (`responseCache`): the REST adapter then keeps the
 * serialized envelope in the static cache and serves it without calling the
 * procedure until one of those tables is invalidated. Only for procedures whose
 * answer is a function of their input and those tables alone (no caller), and of
 * the clock only when `maxAgeMs` bounds how long an answer is kept.
 */
export type ApiMeta = OpenApiMeta & {
  responseCache?: {
    tables: readonly string[];
    /** An answer that also follows the clock (a schedule) is kept at most this long. */
    maxAgeMs?: number;
  };
  /**
   * The REST body of the procedure's output, for a hot path that can build it
   * faster than `JSON.stringify`; it must give exactly the same text.
   */
  restJson?: (output: never) => string;
  /** Set by `adminProcedure`: the roles it lets in (super_admin always). The role matrix is read from it. */
  adminRoles?: readonly AdminRole[];
};

// Live streams' batches go out as the JSON text made once per tick and filter (see LiveBatch).
superjson.registerCustom(liveBatchTransform, LIVE_BATCH);

const t = initTRPC
  .context<Context>()
  .meta<ApiMeta>()
  .create({
    transformer: superjson,
    // Live subscriptions (SSE): a ping keeps idle streams open through proxies, and the client
    // reconnects (resuming from its last tracked id) when it hears nothing for longer.
    sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
    // tRPC puts a stack in error answers when `isDev`; its own default reads NODE_ENV again.
    isDev: nodeEnvOf() !== 'production',
    errorFormatter({ shape, error, ctx }) {
      // The same readable message REST sends (field paths for validation, nothing internal for a 500).
      const body = describeError(error);
      const { stack, ...data } = shape.data;
      // The app's own config decides (a test app may run as production in a test process); without
      // a context (the request failed before one was made) there is no stack either.
      const showStack = stack !== undefined && ctx !== undefined && ctx.deps.env.NODE_ENV !== 'production';
      return {
        ...shape,
        message: body.message,
        data: { ...data, ...(showStack ? { stack } : {}), appCode: body.code, details: body.details },
      };
    },
  });

/** Domain errors leave every procedure as the tRPC code the error table names. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  const cause = result.ok ? undefined : asDomainError(result.error.cause);
  if (cause instanceof DomainError) {
    throw new TRPCError({ code: ERROR_TABLE[cause.code].trpc, message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
/** The only base procedure routers use; auth-aware ones are built on it. */
export const publicProcedure = t.procedure.use(domainErrors);

/** Any signed-in user; a missing, expired or revoked session (or a suspended user) is 401 UNAUTHENTICATED. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.auth)
    throw new DomainError('UNAUTHENTICATED', 'sign in first: session missing, expired or revoked');
  return next({ ctx: { auth: ctx.auth as SessionAuth } });
});

/**
 * Staff only, by role: 401 without a session, 403 FORBIDDEN for a user who is
 * not active staff or whose role is not listed. `super_admin` may call every
 * admin procedure. `ctx.admin` is the caller's AdminProfile id and role.
 */
export function adminProcedure(roles: readonly AdminRole[]) {
  return authedProcedure.meta({ adminRoles: roles }).use(({ ctx, next }) => {
    const admin = ctx.auth.admin;
    if (!admin || (admin.role !== 'super_admin' && !roles.includes(admin.role))) {
      // A procedure may list super_admin itself: name each role once.
      const allowed = new Set<AdminRole>(['super_admin', ...roles]);
      throw new DomainError('FORBIDDEN', `needs an admin role: ${[...allowed].join(', ')}`);
    }
    return next({ ctx: { admin } });
  });
}
