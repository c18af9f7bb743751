import type { RootRouter } from '@powerbank/api-client';
import { QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';

const TOKEN_KEY = 'powerbank.console.token';

/** The session token lives for the tab only: a console left open elsewhere is not signed in. */
export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY) ?? undefined,
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** The typed api client (same origin: the api serves the console, Vite proxies it in development). */
export const api = createTRPCClient<RootRouter>({
  links: [
    httpBatchLink({
      url: '/trpc',
      transformer: superjson,
      headers: (): Record<string, string> => {
        const token = session.token();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
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
