import { LIVE_BATCH, LiveBatch, liveBatchTransform } from '@powerbank/protocol/live-batch';
import { TRPCError, tracked } from '@trpc/server';
import { sseStreamProducer } from '@trpc/server/unstable-core-do-not-import';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { sseFrames } from './live-sse-frames.ts';

superjson.registerCustom(liveBatchTransform, LIVE_BATCH);

const client = { reconnectAfterInactivityMs: 40_000 };

/** What tRPC's own SSE producer writes for `data` (an async iterable), as text. */
async function trpcWrites(data: AsyncIterable<unknown>): Promise<string> {
  const stream = sseStreamProducer({
    data,
    serialize: (value) => superjson.serialize(value),
    client,
    formatError: ({ error }) => ({ code: (error as TRPCError).code, message: (error as Error).message }),
  });
  return new Response(stream).text();
}

const json = (value: unknown) => JSON.stringify(superjson.serialize(value));

describe('sseFrames: byte for byte what tRPC v11 sseStreamProducer writes', () => {
  it('connected, tracked messages (a live batch among them), return', async () => {
    const batch = new LiveBatch([{ sn: 'S1', status: 'offline', receivedAt: 1 }]);
    const dated = { at: new Date(0), n: 1n };
    const written = await trpcWrites(
      (async function* () {
        yield tracked('boot:1', batch);
        yield tracked('boot:2', dated);
      })(),
    );
    expect(written).toBe(
      sseFrames.connected(client) +
        sseFrames.tracked('boot:1', json(batch)) +
        sseFrames.tracked('boot:2', json(dated)) +
        sseFrames.return,
    );
    // The batch's text goes as one escaped string under superjson's custom annotation.
    expect(written).toContain(`data: {"json":${JSON.stringify(batch.json)},"meta":`);
  });

  it('a refusal: connected, then serialized-error with the formatted shape, and no return', async () => {
    const written = await trpcWrites(
      // biome-ignore lint/correctness/useYield: a stream that fails before its first value
      (async function* () {
        throw new TRPCError({ code: 'FORBIDDEN', message: 'needs an admin role' });
      })(),
    );
    expect(written).toBe(
      sseFrames.connected(client) +
        sseFrames.error(json({ code: 'FORBIDDEN', message: 'needs an admin role' })),
    );
  });

  it('ping, as tRPC writes it to a silent stream', async () => {
    const stream = sseStreamProducer({
      data: (async function* () {
        await new Promise((resolve) => setTimeout(resolve, 60));
        yield tracked('boot:3', 1);
      })(),
      serialize: (value) => superjson.serialize(value),
      ping: { enabled: true, intervalMs: 20 },
    });
    const written = await new Response(stream).text();
    expect(written.startsWith(sseFrames.connected({}) + sseFrames.ping)).toBe(true);
    expect(written.endsWith(sseFrames.tracked('boot:3', json(1)) + sseFrames.return)).toBe(true);
  });
});
