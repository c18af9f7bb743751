import { decodeLiveBatches, type RootRouter } from '@powerbank/api-client';
import { QueryClient } from '@tanstack/react-query';
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import superjson from 'superjson';

const TOKEN_KEY = 'powerbank.console.token';

/** The session token lives for the tab only: a console left open elsewhere is not signed in. */
export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY) ?? undefined,
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

function authorization(): Record<string, string> {
  const token = session.token();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * The typed api client (same origin: the api serves the console, Vite proxies it in development).
 * Subscriptions (`admin.live.*`) stream over SSE through the `eventsource` package, a fetch-based
 * EventSource that runs in the browser too: the browser's own EventSource sends no Authorization
 * header, and the alternative (the token in the URL or in connectionParams) would put the session
 * token in access logs and need a second way to authenticate in the api for subscriptions only.
 * Each live message is a batch of events (`data.events`): `decodeLiveBatches` teaches superjson it
 * and gives the link that decodes each stream's compact batches (first in the chain).
 */
export const api = createTRPCClient<RootRouter>({
  links: [
    decodeLiveBatches(),
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({
        url: '/trpc',
        transformer: superjson,
        EventSource,
        // Read per connection, so a reconnection carries the token of the moment.
        eventSourceOptions: () => ({
          fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, ...authorization() } }),
        }),
      }),
      false: httpBatchLink({ url: '/trpc', transformer: superjson, headers: authorization }),
    }),
  ],
});

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal (forbidden, not found) will not change by asking again.
      retry: (count, error) => !(error instanceof TRPCClientError) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

/** What to show when a call is refused: the api's own code and message. */
export function errorText(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const code = (error.data as { appCode?: string } | undefined)?.appCode;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
