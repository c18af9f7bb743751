import type { RootRouter } from '@powerbank/api';
import { LIVE_BATCH, liveBatchTransform } from '@powerbank/protocol/live-batch';
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  isNonJsonSerializable,
  splitLink,
  type TRPCClient,
  TRPCClientError,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import superjson from 'superjson';

export type { RootRouter } from '@powerbank/api';
export { LiveBatch } from '@powerbank/protocol/live-batch';

/**
 * The live streams' decoder (`admin.live.*`): each message is a `LiveBatch` whose `events` are
 * typed by the procedure (`onData: ({ data }) => data.events`). Registers it with superjson (the
 * instance the links use); `createApiClient` does, a client built otherwise (the console) calls it.
 */
export function decodeLiveBatches(): void {
  superjson.registerCustom(liveBatchTransform, LIVE_BATCH);
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
 * each message is a `LiveBatch` of events (see `decodeLiveBatches`).
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  decodeLiveBatches();
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
