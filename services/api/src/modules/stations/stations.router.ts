import { publicProcedure, router } from '../../trpc/trpc.ts';
import { findNearbyStations, getStation, listStations } from './station-discovery.service.ts';
import {
  NearbyInput,
  NearbyOutput,
  StationBySnInput,
  StationDetail,
  StationListInput,
  StationListOutput,
} from './stations.schemas.ts';

export const stationsRouter = router({
  list: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/app/stations',
        tags: ['stations'],
        summary: 'Stations by name, filtered and paginated, with available and free counts',
      },
    })
    .input(StationListInput)
    .output(StationListOutput)
    .query(({ ctx, input }) => listStations(ctx.em, ctx.staticCache, input)),

  // Declared before `/app/stations/{sn}` so "nearby" is never taken for a serial number.
  nearby: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/app/stations/nearby',
        tags: ['stations'],
        summary: 'Stations within `radius` meters (default 2000, max 50000), nearest first',
      },
    })
    .input(NearbyInput)
    .output(NearbyOutput)
    .query(({ ctx, input }) => findNearbyStations(ctx.em, ctx.staticCache, input)),

  bySn: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/app/stations/{sn}',
        tags: ['stations'],
        summary: 'One station with its slots, media and amenities',
      },
    })
    .input(StationBySnInput)
    .output(StationDetail)
    .query(({ ctx, input }) => getStation(ctx.em, ctx.staticCache, input)),
});
