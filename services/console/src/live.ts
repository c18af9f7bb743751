import { useEffect } from 'react';
import { queryClient } from './api.ts';

/**
 * The console's one door to live updates. Pages call `useLiveStations()` and never
 * know how updates arrive: today the station queries are refreshed every
 * LIVE_FALLBACK_MS; once the api serves `admin.live` (tRPC subscriptions over SSE),
 * `subscribe` below becomes an `httpSubscriptionLink` subscription whose events
 * invalidate the same query keys, and nothing else in the console changes.
 */
const LIVE_FALLBACK_MS = 1_000;

/** The query keys station events make stale. */
export const stationKeys = {
  all: ['stations'] as const,
  one: (sn: string) => ['stations', sn] as const,
};

function subscribe(onStationChange: (sn: string | null) => void): () => void {
  const timer = setInterval(() => onStationChange(null), LIVE_FALLBACK_MS);
  return () => clearInterval(timer);
}

/** Keeps every station query on the page fresh while the component is mounted. */
export function useLiveStations(): void {
  useEffect(
    () =>
      subscribe((sn) =>
        queryClient.invalidateQueries({ queryKey: sn ? stationKeys.one(sn) : stationKeys.all }),
      ),
    [],
  );
}
