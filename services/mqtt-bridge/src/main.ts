import { serve } from '@hono/node-server';
import { bridgeEnv, closeServer, dbPoolMax, parseConfig, shutdownOnSignal } from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { Hono } from 'hono';
import pino from 'pino';
import { startBridge } from './bridge.ts';
import { createBridgeMetrics } from './metrics.ts';
import { recordRejection } from './system-log.ts';

const env = parseConfig(bridgeEnv);
const logger = pino({ name: 'mqtt-bridge', level: env.LOG_LEVEL, base: { service: 'mqtt-bridge' } });
const metrics = createBridgeMetrics();
// A small pool (its share of the connection budget): the bridge only writes rejected messages to SystemLog.
const orm = await openOrm({ ...env, DB_POOL_MIN: 0, DB_POOL_MAX: dbPoolMax(env, 'mqtt-bridge') });
const bridge = await startBridge({ env, logger, metrics, onRejected: recordRejection(orm) });

const app = new Hono();
app.get('/metrics', async (c) =>
  c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
);
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: env.BRIDGE_METRICS_PORT });

shutdownOnSignal({
  logger,
  timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  steps: [
    { name: 'metrics http', run: () => closeServer(server) },
    // Stops taking station messages; the ones being relayed finish first.
    { name: 'bridge', run: () => bridge.stop() },
    { name: 'database', run: () => orm.close() },
  ],
});
