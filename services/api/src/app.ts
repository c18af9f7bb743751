import { trpcServer } from '@hono/trpc-server';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { AppDeps } from './deps.ts';
import type { AppEnv } from './hono-env.ts';
import { restHandler } from './rest/rest-adapter.ts';
import { createContext } from './trpc/context.ts';
import { rootRouter } from './trpc/root-router.ts';

/** Builds the whole HTTP app from its dependencies; tests call it without opening a port. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', requestId());
  app.use('*', async (c, next) => {
    const logger = deps.logger.child({ reqId: c.get('requestId') });
    c.set('logger', logger);
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath;
    deps.metrics.httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
    logger.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(seconds * 1000) },
      'request',
    );
  });

  app.get('/metrics', async (c) => {
    c.header('content-type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });

  app.use(
    '/trpc/*',
    trpcServer({
      endpoint: '/trpc',
      router: rootRouter,
      createContext: (_opts, c) => createContext(deps, c.get('requestId'), c.get('logger')),
    }),
  );

  app.all('/api/*', restHandler(deps));
  return app;
}
