import { serve } from '@hono/node-server';
import { apiEnv, parseConfig } from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { connectNats } from '@powerbank/messaging';
import { createApp } from './app.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';

const env = parseConfig(apiEnv);
const logger = createLogger('api', env.LOG_LEVEL);
const orm = await openOrm(env);
const nats = await connectNats(env.NATS_URL, 'api');
const app = createApp({ env, orm, nats, logger, metrics: createMetrics() });

const server = serve({ fetch: app.fetch, hostname: env.API_HOST, port: env.API_PORT }, (info) => {
  logger.info({ url: `http://${info.address}:${info.port}` }, 'api listening');
});

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'shutting down');
  server.close();
  await nats.drain().catch(() => undefined);
  await orm.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
