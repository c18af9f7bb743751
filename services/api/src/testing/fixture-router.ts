import { z } from 'zod';
import { publicProcedure, router } from '../trpc/trpc.ts';

export const EchoInput = z.object({ name: z.string().min(1).max(50), count: z.number().int() }).strict();
export const EchoOutput = EchoInput;
export const SearchInput = z.object({ q: z.string().max(100) }).strict();
export const SearchOutput = z.object({ q: z.string(), length: z.number().int() });
export const RequestInfoOutput = z.object({ requestId: z.string() });

/**
 * Procedures that exercise the platform (writes, strict bodies, failures,
 * protected paths) without depending on any feature module.
 */
export const fixtureRouter = router({
  echo: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/fixture/echo', protect: true } })
    .input(EchoInput)
    .output(EchoOutput)
    .mutation(({ input }) => input),
  search: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/fixture/search' } })
    .input(SearchInput)
    .output(SearchOutput)
    .query(({ input }) => ({ q: input.q, length: input.q.length })),
  requestInfo: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/fixture/request-info' } })
    .input(z.object({}).strict())
    .output(RequestInfoOutput)
    .query(({ ctx }) => {
      ctx.logger.info('inside a procedure');
      return { requestId: ctx.requestId };
    }),
  /** Fails like a bug after reading secrets: what its error line shows of them is what is tested. */
  failWithSecrets: publicProcedure
    .meta({ openapi: { method: 'POST', path: '/fixture/fail-with-secrets' } })
    .input(z.object({ phone: z.string(), code: z.string(), card_number: z.string().optional() }).strict())
    .output(z.object({}))
    .mutation(() => {
      throw new Error('kaboom after reading secrets');
    }),
  boom: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/fixture/boom' } })
    .input(z.object({}).strict())
    .output(z.object({}))
    .query(() => {
      throw new Error('kaboom: a bug, not bad input');
    }),
});
