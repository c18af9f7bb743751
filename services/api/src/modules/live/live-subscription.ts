import type { LiveBatch } from '@powerbank/protocol/live-batch';
import { type TrackedEnvelope, tracked } from '@trpc/server';
import type { HubBatch, LiveHub, LiveTopic, LiveWire, StreamOptions } from './live-hub.ts';

/**
 * What a live procedure (`admin.live.*`) returns once its caller passed its roles and its input
 * was validated: the stream it asked for, not yet started. It is an async iterable of tracked
 * batches, so tRPC's own SSE pipeline (and any in-process caller) can read it as it would any
 * subscription; the live SSE route (live-sse) instead attaches it to the hub itself and writes
 * each tick's frame, encoded once, to every connection (`hub`, `options`).
 */
export class LiveSubscription<T extends LiveTopic>
  implements AsyncIterable<TrackedEnvelope<LiveBatch<LiveWire<T>>>, void>
{
  constructor(
    readonly hub: LiveHub,
    readonly options: StreamOptions<T>,
    readonly signal?: AbortSignal,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<TrackedEnvelope<LiveBatch<LiveWire<T>>>, void> {
    const batches: AsyncGenerator<HubBatch<T>> = this.hub.events({ ...this.options, signal: this.signal });
    for await (const batch of batches) yield tracked(batch.id, batch.payload);
  }
}
