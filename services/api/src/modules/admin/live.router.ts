import { z } from 'zod';
import { adminProcedure, router } from '../../trpc/trpc.ts';
import type { LiveData } from '../live/live-hub.ts';
import { LiveSubscription } from '../live/live-subscription.ts';

/**
 * What the console follows live, pushed over SSE (`httpSubscriptionLink`). Each message is a
 * `LiveBatch`: the events of one hub tick (`LIVE_TICK_MS`) that the stream accepts, serialised
 * once for every stream with the same filter; clients read `batch.events`. Each batch is
 * `tracked` with its last event's id: a client reconnecting sends it back as `lastEventId` and
 * gets the events it missed, if this instance still holds them. A client that falls behind past
 * `LIVE_CLIENT_BUFFER` events is cut off (it reconnects and resumes).
 *
 * Over HTTP these procedures are served by the live SSE route (live-sse), which calls them for
 * their roles and input checks and then writes each tick's frame, encoded once, to every
 * connection in tRPC's SSE wire format: tRPC's per-stream pipeline cost ~160 µs of CPU per message.
 */
const LiveInput = z
  .object({
    /** One station only; all stations when absent. */
    sn: z.string().min(1).max(64).optional(),
    /** Set by the client on reconnection (tRPC's tracked ids). */
    lastEventId: z.string().max(100).nullish(),
  })
  .strict()
  .optional();

function liveStream<T extends Exclude<keyof LiveData, 'station'>>(topic: T) {
  return adminProcedure(['operations', 'finance', 'support'])
    .input(LiveInput)
    .subscription(
      ({ ctx, input, signal }) =>
        new LiveSubscription(
          ctx.live,
          { topics: [topic], sn: input?.sn, lastEventId: input?.lastEventId },
          signal,
        ),
    );
}

/** Each procedure's batches hold events of this shape (each with `receivedAt`, epoch ms). */
export const adminLiveRouter = router({
  /** `{ sn, status, lastHeartbeatAt }` when a station's status changes. */
  stationStatus: liveStream('status'),
  /**
   * `{ sn, slots: [{ slot, state, powerBankSerial, battery }] }` when a station's slots change. On the
   * wire only the changed slots (`SlotsWire`), after a reset with the stations' state; the api-client's
   * link (`decodeLiveBatches`) hands the events out whole.
   */
  slots: liveStream('slots'),
  /** `{ kind: dispense|return|missing, sn, detail }` or `{ kind: settled, rental }`. */
  rentals: liveStream('rental'),
});
