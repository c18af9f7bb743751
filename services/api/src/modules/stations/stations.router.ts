import { authedProcedure, publicProcedure, router } from '../../trpc/trpc.ts';
import { trustedOutput } from '../../trpc/trusted-output.ts';
import { nearbyJson } from './station-directory.ts';
import { findNearbyStations, getStation, listStations } from './station-discovery.service.ts';
import { addFavorite, listFavorites, removeFavorite } from './station-favorites.service.ts';
import { listMyReports, listStationIssues, reportStationIssue } from './station-issues.service.ts';
import {
  FavoriteInput,
  FavoriteOutput,
  FavoritesInput,
  FavoritesOutput,
  MyReportsInput,
  MyReportsOutput,
  NearbyInput,
  NearbyOutput,
  ReportIssueInput,
  StationBySnInput,
  StationDetail,
  StationIssueItem,
  StationIssuesInput,
  StationIssuesOutput,
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
      restJson: nearbyJson,
    })
    .input(NearbyInput)
    .output(trustedOutput(NearbyOutput))
    // Answered from memory: the entity manager is forked only if AppConfig must be loaded.
    .query(({ ctx, input }) => findNearbyStations(() => ctx.em, ctx.staticCache, ctx.stations, input)),

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
    // Answered from memory while the station is unchanged: the entity manager is forked only to read it.
    .query(({ ctx, input }) => getStation(() => ctx.em, ctx.staticCache, ctx.stations, input)),

  // ---- Signed-in: favorites and issue reports, always the caller's own ----

  addFavorite: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/stations/{sn}/favorite',
        tags: ['stations'],
        protect: true,
        summary: 'Add a favorite station (adding it again changes nothing)',
      },
    })
    .input(FavoriteInput)
    .output(FavoriteOutput)
    .mutation(({ ctx, input }) => addFavorite(ctx.em, ctx.auth.user.id, input.sn)),

  favorites: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/stations/favorites',
        tags: ['stations'],
        protect: true,
        summary: "The caller's favorite stations, newest first",
      },
    })
    .input(FavoritesInput)
    .output(FavoritesOutput)
    .query(({ ctx, input }) => listFavorites(ctx.em, ctx.staticCache, ctx.auth.user.id, input)),

  removeFavorite: authedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/stations/{sn}/favorite',
        tags: ['stations'],
        protect: true,
        summary: 'Remove a favorite station (removing an absent one changes nothing)',
      },
    })
    .input(FavoriteInput)
    .output(FavoriteOutput)
    .mutation(({ ctx, input }) => removeFavorite(ctx.em, ctx.auth.user.id, input.sn)),

  reportIssue: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/stations/{sn}/report-issue',
        tags: ['stations'],
        protect: true,
        summary: 'Report a problem with a station, optionally with photos (own uploads)',
      },
    })
    .input(ReportIssueInput)
    .output(StationIssueItem)
    .mutation(({ ctx, input }) => reportStationIssue(ctx.em, ctx.auth.user.id, input)),

  myReports: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/stations/my-reports',
        tags: ['stations'],
        protect: true,
        summary: "The caller's station issue reports, newest first",
      },
    })
    .input(MyReportsInput)
    .output(MyReportsOutput)
    .query(({ ctx, input }) => listMyReports(ctx.em, ctx.auth.user.id, input)),

  issues: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/stations/{sn}/issues',
        tags: ['stations'],
        protect: true,
        summary: "A station's open issues (others' descriptions withheld)",
      },
    })
    .input(StationIssuesInput)
    .output(StationIssuesOutput)
    .query(({ ctx, input }) => listStationIssues(ctx.em, ctx.auth.user.id, input)),
});
