import { queryOptions } from '@tanstack/react-query';
import { api } from './api.ts';
import { stationKeys } from './live.ts';

/** Every station (the list is paged at 100): the map and the dashboard show the whole network. */
async function allStations() {
  const first = await api.stations.list.query({ page: 1, page_size: 100 });
  const rest = await Promise.all(
    Array.from({ length: first.pagination.total_pages - 1 }, (_, i) =>
      api.stations.list.query({ page: i + 2, page_size: 100 }),
    ),
  );
  return [first, ...rest].flatMap((page) => page.results);
}

export type StationRow = Awaited<ReturnType<typeof allStations>>[number];

export const stationsQuery = () => queryOptions({ queryKey: stationKeys.all, queryFn: allStations });

export const stationQuery = (sn: string) =>
  queryOptions({ queryKey: stationKeys.one(sn), queryFn: () => api.stations.bySn.query({ sn }) });

export const meQuery = () => queryOptions({ queryKey: ['me'], queryFn: () => api.auth.me.query({}) });
