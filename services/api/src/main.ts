import { serve } from '@hono/node-server';
import { type ApiEnv, apiEnv, parseConfig } from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { connectNats } from '@powerbank/messaging';
import { createApp } from './app.ts';
import { startRefundReconciler } from './modules/payment/refund-reconciler.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { isClusterPrimary, runPrimary } from './platform/workers.ts';

const env = parseConfig(apiEnv);

if (env.API_WORKERS > 1 && isClusterPrimary()) {
  runPrimary(
    { workers: env.API_WORKERS, poolMin: env.DB_POOL_MIN, poolMax: env.DB_POOL_MAX },
    createLogger('api-primary', env.LOG_LEVEL),
  );
} else {
  await serveApi(env);
}

async function serveApi(env: ApiEnv): Promise<void> {
  const logger = createLogger('api', env.LOG_LEVEL);
  const orm = await openOrm(env);
  const nats = await connectNats(env.NATS_URL, 'api');
  const deps = { env, orm, nats, logger, metrics: createMetrics() };
  const app = createApp(deps);
  const stopRefundReconciler = startRefundReconciler(deps);

  const server = serve({ fetch: app.fetch, hostname: env.API_HOST, port: env.API_PORT }, (info) => {
    logger.info({ url: `http://${info.address}:${info.port}`, pid: process.pid }, 'api listening');
  });

  async function shutdown(signal: string): Promise<void> {
    logger.info({ signal }, 'shutting down');
    server.close();
    await stopRefundReconciler();
    await nats.drain().catch(() => undefined);
    await orm.close();
    process.exit(0);
  }
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
