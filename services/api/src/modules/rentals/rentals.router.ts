import { authedProcedure, router } from '../../trpc/trpc.ts';
import { trustedOutput } from '../../trpc/trusted-output.ts';
import {
  cancelRental,
  extendRental,
  payDue,
  recordLocations,
  reportIssue,
} from './rental-actions.service.ts';
import { activeRentals, rentalHistory, usageStats } from './rental-queries.service.ts';
import { startRental } from './rental-start.service.ts';
import {
  ActiveRentalsOutput,
  ExtendRentalInput,
  HistoryInput,
  HistoryOutput,
  IssueOutput,
  LocationInput,
  LocationOutput,
  NoInput,
  PayDueInput,
  RentalIdInput,
  RentalOutput,
  ReportIssueInput,
  StartRentalInput,
  UsageStatsOutput,
} from './rentals.schemas.ts';

const tags = ['rentals'];
// Every rental answer is built field by field by `rentalAnswer` (typed against the schema), so
// production skips zod's checked copy of it: ~3% of the api's CPU per rental start.
const RentalAnswer = trustedOutput(RentalOutput);

const post = (path: `/${string}`, summary: string) => ({
  openapi: { method: 'POST' as const, path, tags, protect: true, summary },
});
const get = (path: `/${string}`, summary: string) => ({
  openapi: { method: 'GET' as const, path, tags, protect: true, summary },
});

export const rentalsRouter = router({
  start: authedProcedure
    .meta(
      post(
        '/rentals/start',
        'Rent a power bank at a station: pay (or hold the postpaid deposit), then eject',
      ),
    )
    .input(StartRentalInput)
    .output(RentalAnswer)
    .mutation(({ ctx, input }) => startRental(ctx.em, ctx.deps, ctx.auth.user.id, input)),

  cancel: authedProcedure
    .meta(
      post('/rentals/{id}/cancel', 'Cancel while pending or with the power bank back; free within 5 minutes'),
    )
    .input(RentalIdInput)
    .output(RentalAnswer)
    .mutation(({ ctx, input }) => cancelRental(ctx.em, ctx.auth.user.id, input.id)),

  extend: authedProcedure
    .meta(
      post('/rentals/{id}/extend', "Extend an active rental by a prepaid package's duration, at its price"),
    )
    .input(ExtendRentalInput)
    .output(RentalAnswer)
    .mutation(({ ctx, input }) => extendRental(ctx.em, ctx.auth.user.id, input)),

  location: authedProcedure
    .meta(post('/rentals/{id}/location', 'Record a batch of GPS points during the rental'))
    .input(LocationInput)
    .output(LocationOutput)
    .mutation(({ ctx, input }) => recordLocations(ctx.em, ctx.auth.user.id, input)),

  reportIssue: authedProcedure
    .meta(post('/rentals/{id}/report-issue', 'Report a problem with a rental, with uploaded photos'))
    .input(ReportIssueInput)
    .output(IssueOutput)
    .mutation(({ ctx, input }) => reportIssue(ctx.em, ctx.auth.user.id, input)),

  payDue: authedProcedure
    .meta(post('/rentals/{id}/pay-due', 'Pay what a rental owes, whatever its status'))
    .input(PayDueInput)
    .output(RentalAnswer)
    .mutation(({ ctx, input }) => payDue(ctx.em, ctx.auth.user.id, input)),

  active: authedProcedure
    .meta(get('/rentals/active', 'My rentals in progress'))
    .input(NoInput)
    .output(ActiveRentalsOutput)
    .query(({ ctx }) => activeRentals(ctx.em, ctx.auth.user.id)),

  history: authedProcedure
    .meta(get('/rentals/history', 'My rentals, newest first (cursor or page)'))
    .input(HistoryInput)
    .output(HistoryOutput)
    .query(({ ctx, input }) => rentalHistory(ctx.em, ctx.auth.user.id, input)),

  usageStats: authedProcedure
    .meta(get('/user/analytics/usage-stats', 'My rental usage: counts, minutes, spending, points'))
    .input(NoInput)
    .output(UsageStatsOutput)
    .query(({ ctx }) => usageStats(ctx.em, ctx.auth.user.id)),
});
