import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { queryInt } from '../platform/query-input.ts';
import { publicProcedure, router } from '../trpc/trpc.ts';
import { createOpenApiCaller } from './openapi-caller.ts';

const listOf = (page: z.ZodType) =>
  router({
    list: publicProcedure
      .meta({ openapi: { method: 'GET', path: '/list' } })
      .input(z.object({ page }))
      .output(z.object({ page: z.number() }))
      .query(({ input }) => input as { page: number }),
  });

describe('createOpenApiCaller', () => {
  it('refuses at start a query field that would need coercion from text', () => {
    expect(() => createOpenApiCaller(listOf(z.number().int().default(1)))).toThrow(/"page" arrives as text/);
    expect(() => createOpenApiCaller(listOf(z.coerce.date().optional()))).toThrow(/"page"/);
  });

  it('never switches coercion on in a shared schema', async () => {
    const page = z.number().int();
    const caller = createOpenApiCaller(
      router({
        echo: publicProcedure
          .meta({ openapi: { method: 'POST', path: '/echo' } })
          .input(z.object({ page }))
          .output(z.object({ page: z.number() }))
          .mutation(({ input }) => input),
      }),
    );
    const answer = await caller.call({
      method: 'POST',
      target: '/echo',
      header: () => 'application/json',
      text: async () => '{"page":"0x10"}',
      createContext: () => ({}),
    });
    expect(answer).toMatchObject({ status: 'error', error: { code: 'BAD_REQUEST' } });
    expect(page.safeParse('16').success).toBe(false);
  });

  it('reads a queryInt field from decimal digits', async () => {
    const caller = createOpenApiCaller(listOf(queryInt(1, 10)));
    const call = (target: string) =>
      caller.call({
        method: 'GET',
        target,
        header: () => undefined,
        text: async () => '',
        createContext: () => ({}),
      });
    expect(await call('/list?page=7')).toEqual({ status: 200, body: '{"page":7}' });
    expect(await call('/list?page=0x7')).toMatchObject({ status: 'error' });
  });
});
