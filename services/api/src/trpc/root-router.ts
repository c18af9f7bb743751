import { appRouter } from '../modules/app/app.router.ts';
import { router } from './trpc.ts';

export const rootRouter = router({
  app: appRouter,
});

/** The type TypeScript clients import (through @powerbank/api-client). */
export type RootRouter = typeof rootRouter;
