import { appRouter } from '../modules/app/app.router.ts';
import { contentRouter } from '../modules/content/content.router.ts';
import { stationsRouter } from '../modules/stations/stations.router.ts';
import { router } from './trpc.ts';

export const rootRouter = router({
  app: appRouter,
  content: contentRouter,
  stations: stationsRouter,
});

/** The type TypeScript clients import (through @powerbank/api-client). */
export type RootRouter = typeof rootRouter;
