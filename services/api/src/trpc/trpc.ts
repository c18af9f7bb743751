import { DomainError, ERROR_TABLE } from '@powerbank/domain';
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { Context } from './context.ts';
import { describeError } from './error-body.ts';

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      // The same readable message REST sends (field paths for validation, nothing internal for a 500).
      const body = describeError(error);
      return {
        ...shape,
        message: body.message,
        data: { ...shape.data, appCode: body.code, details: body.details },
      };
    },
  });

/** Domain errors leave every procedure as the tRPC code the error table names. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: ERROR_TABLE[cause.code].trpc, message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
/** The only base procedure routers use; auth-aware ones are built on it. */
export const publicProcedure = t.procedure.use(domainErrors);
