import { serve } from '@hono/node-server';
import {
  type ApiEnv,
  apiEnv,
  closeServer,
  dbPoolMax,
  parseConfig,
  shutdownOnSignal,
} from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { connectNats } from '@powerbank/messaging';
import { createApp, createLiveHub } from './app.ts';
import { startRefundReconciler } from './modules/payment/refund-reconciler.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { isClusterPrimary, runPrimary } from './platform/workers.ts';

const env = parseConfig(apiEnv);

if (env.API_WORKERS > 1 && isClusterPrimary()) {
  runPrimary(
    { workers: env.API_WORKERS, poolMin: env.DB_POOL_MIN, poolMax: dbPoolMax(env, 'api') },
    createLogger('api-primary', env.LOG_LEVEL),
  );
} else {
  await serveApi(env);
}

async function serveApi(env: ApiEnv): Promise<void> {
  const logger = createLogger('api', env.LOG_LEVEL);
  const orm = await openOrm({ ...env, DB_POOL_MAX: dbPoolMax(env, 'api') });
  const nats = await connectNats(env.NATS_URL, 'api');
  const deps = { env, orm, nats, logger, metrics: createMetrics() };
  const live = createLiveHub(deps);
  const app = createApp(deps, { live });
  const stopRefundReconciler = startRefundReconciler(deps);

  // Requests being answered, for the shutdown's report of what its deadline cut.
  let inFlight = 0;
  const fetch: typeof app.fetch = (request, ...rest) => {
    inFlight += 1;
    return Promise.resolve(app.fetch(request, ...rest)).finally(() => {
      inFlight -= 1;
    });
  };
  const server = serve({ fetch, hostname: env.API_HOST, port: env.API_PORT }, (info) => {
    logger.info({ url: `http://${info.address}:${info.port}`, pid: process.pid }, 'api listening');
  });

  shutdownOnSignal({
    logger,
    timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    steps: [
      // Live streams never end by themselves: ended first, or the http step would wait for its deadline.
      { name: 'live streams', run: async () => live.close() },
      {
        // Stops accepting; done once every request in flight has been answered.
        name: 'http',
        run: () => closeServer(server),
        pending: () => ({ requestsInFlight: inFlight }),
      },
      { name: 'refund reconciler', run: () => stopRefundReconciler() },
      { name: 'nats', run: () => nats.drain() },
      { name: 'database', run: () => orm.close() },
    ],
  });
}
