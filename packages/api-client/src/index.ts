import type { RootRouter } from '@powerbank/api';
import {
  LIVE_BATCH,
  LiveBatch,
  LiveSlotsDecoder,
  liveBatchTransform,
  type SlotsWire,
} from '@powerbank/protocol/live-batch';
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  isNonJsonSerializable,
  splitLink,
  type TRPCClient,
  TRPCClientError,
  type TRPCLink,
} from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { EventSource } from 'eventsource';
import superjson from 'superjson';

export type { RootRouter } from '@powerbank/api';
export { LiveBatch } from '@powerbank/protocol/live-batch';

/**
 * The live streams' decoder (`admin.live.*`): each message is a `LiveBatch` whose `events` are
 * typed by the procedure (`onData: ({ data }) => data.events`). Registers the batch with superjson
 * (the instance the links use) and returns the link that decodes each subscription's compact
 * batches (slots: only what changed, made whole again with that stream's state; a batch with no
 * event left, such as a new stream's starting state, is not passed on). Events are frozen: a
 * process decodes a batch once for all its subscriptions that receive it (`liveBatchTransform`,
 * `LiveSlotsDecoder`), and they share the objects. Put it first in `links`:
 * `createApiClient` does; a client built otherwise (the console) does it itself.
 */
export function decodeLiveBatches(): TRPCLink<RootRouter> {
  superjson.registerCustom(liveBatchTransform, LIVE_BATCH);
  return () =>
    ({ op, next }) => {
      if (op.type !== 'subscription') return next(op);
      return observable((observer) => {
        // One per subscription, kept across its reconnections (a resumed stream goes on from it).
        const decoder = new LiveSlotsDecoder();
        const subscription = next(op).subscribe({
          next: (value) => {
            const result = value.result as { id?: string; data?: unknown; type?: string };
            // Tracked messages (every live stream's) come as `{ id, data: { id, data: batch } }`.
            const tracked = result.data as { id?: string; data?: unknown } | undefined;
            const batch = result.id !== undefined ? tracked?.data : result.data;
            if (!(batch instanceof LiveBatch) || batch.decoded) return observer.next(value);
            // A compact batch (slots) made whole with this stream's state.
            const whole = new LiveBatch(decoder.decode(batch.wire as SlotsWire));
            if (!whole.events.length) return;
            const data = result.id !== undefined ? { ...tracked, data: whole } : whole;
            observer.next({ ...value, result: { ...result, data } } as typeof value);
          },
          error: (error) => observer.error(error),
          complete: () => observer.complete(),
        });
        return () => subscription.unsubscribe();
      });
    };
}
export { TRPCClientError } from '@trpc/client';

export interface ApiClientOptions {
  /** Base URL of the api, e.g. `http://127.0.0.1:3000` (the client adds `/trpc`). */
  url: string;
  /** Session token from login; sent as `Authorization: Bearer …`. */
  token?: string | (() => string | undefined);
  /** Custom fetch, e.g. an in-process app's `fetch` in tests. */
  fetch?: typeof globalThis.fetch;
}

export type ApiClient = TRPCClient<RootRouter>;
/** A refusal from the api: `error.data.appCode` is its code (`VALIDATION_FAILED`, `RATE_LIMITED`…). */
export type ApiError = TRPCClientError<RootRouter>;

export function isApiError(error: unknown): error is ApiError {
  return error instanceof TRPCClientError;
}

/**
 * The typed client: every procedure of the api, superjson on the wire, calls
 * in one tick batched. FormData inputs (`app.upload`) go alone as multipart.
 * Subscriptions (`admin.live.*`) stream over SSE: the `eventsource` package rather
 * than a browser's own EventSource, which can send no Authorization header (and Node has none);
 * each message is a `LiveBatch` of events, decoded per stream (see `decodeLiveBatches`).
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const liveBatches = decodeLiveBatches();
  const link = {
    url: `${options.url.replace(/\/$/, '')}/trpc`,
    transformer: superjson,
    headers: (): Record<string, string> => {
      const token = typeof options.token === 'function' ? options.token() : options.token;
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const baseFetch = options.fetch ?? globalThis.fetch;
  return createTRPCClient<RootRouter>({
    links: [
      liveBatches,
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: link.url,
          transformer: superjson,
          EventSource,
          // Read per connection, so a reconnection carries the token of the moment.
          eventSourceOptions: () => ({
            fetch: (url, init) =>
              baseFetch(url, { ...init, headers: { ...init.headers, ...link.headers() } }),
          }),
        }),
        false: splitLink({
          condition: (op) => isNonJsonSerializable(op.input),
          true: httpLink(link),
          false: httpBatchLink(link),
        }),
      }),
    ],
  });
}
