import { useEffect } from 'react';
import { api, queryClient } from './api.ts';
import type { StationRow } from './queries.ts';

/**
 * The console's one door to live updates: the api's `admin.live` subscriptions (SSE, fed
 * from the NATS station events), never polling. A status event patches the station list
 * in place (the map recolours with no request); the station page's slot events make that
 * station's query stale, since its slot rows carry more (rentals) than the event does. Each
 * message is a batch: the events of one tick of the api's hub (`LIVE_TICK_MS`, 100 ms).
 */

/** The query keys station events patch or make stale. */
export const stationKeys = {
  all: ['stations'] as const,
  one: (sn: string) => ['stations', sn] as const,
};

/** Keeps every station's status on the page live while the component is mounted. */
export function useLiveStations(): void {
  useEffect(() => {
    const subscription = api.admin.live.stationStatus.subscribe(undefined, {
      // The page says when it is live (`<html data-live>`): a stream not yet open misses events.
      onStarted: () => {
        document.documentElement.dataset.live = 'open';
      },
      onData: ({ data }) => {
        // One message per hub tick: the statuses that changed in it, the latest last.
        const statuses = new Map(data.events.map((event) => [event.sn, event.status]));
        queryClient.setQueryData<StationRow[]>(stationKeys.all, (rows) =>
          rows?.map((row) => {
            const status = statuses.get(row.sn);
            return status === undefined ? row : { ...row, status };
          }),
        );
        // `exact`: the list was patched above; only these stations' own pages are refetched.
        for (const sn of statuses.keys()) {
          void queryClient.invalidateQueries({ queryKey: stationKeys.one(sn), exact: true });
        }
      },
    });
    return () => {
      subscription.unsubscribe();
      delete document.documentElement.dataset.live;
    };
  }, []);
}

/** Keeps one station's slots (and status) live on its page. */
export function useLiveStation(sn: string): void {
  useLiveStations();
  useEffect(() => {
    const subscription = api.admin.live.slots.subscribe(
      { sn },
      { onData: () => void queryClient.invalidateQueries({ queryKey: stationKeys.one(sn), exact: true }) },
    );
    return () => subscription.unsubscribe();
  }, [sn]);
}
