import { serve } from '@hono/node-server';
import { bridgeEnv, parseConfig } from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { Hono } from 'hono';
import pino from 'pino';
import { startBridge } from './bridge.ts';
import { createBridgeMetrics } from './metrics.ts';
import { recordRejection } from './system-log.ts';

const env = parseConfig(bridgeEnv);
const logger = pino({ name: 'mqtt-bridge', level: env.LOG_LEVEL, base: { service: 'mqtt-bridge' } });
const metrics = createBridgeMetrics();
// A small pool: the bridge only writes rejected messages to SystemLog.
const orm = await openOrm({ ...env, DB_POOL_MIN: 0, DB_POOL_MAX: 4 });
const bridge = await startBridge({ env, logger, metrics, onRejected: recordRejection(orm) });

const app = new Hono();
app.get('/metrics', async (c) =>
  c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
);
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: env.BRIDGE_METRICS_PORT });

async function shutdown(): Promise<void> {
  server.close();
  await bridge.stop();
  await orm.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
