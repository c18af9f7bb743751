import { appRouter } from '../modules/app/app.router.ts';
import { router } from '../trpc/trpc.ts';
import { fixtureRouter } from './fixture-router.ts';

/** The app module plus the platform fixtures, served by platform tests. */
export const platformTestRouter = router({ app: appRouter, fixture: fixtureRouter });
