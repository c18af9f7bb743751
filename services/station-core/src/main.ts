import { serve } from '@hono/node-server';
import { parseConfig, stationCoreEnv } from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { connectNats } from '@powerbank/messaging';
import { Hono } from 'hono';
import pino from 'pino';
import { startStationCore } from './core.ts';
import { createCoreMetrics } from './metrics.ts';

const env = parseConfig(stationCoreEnv);
const logger = pino({ name: 'station-core', level: env.LOG_LEVEL, base: { service: 'station-core' } });
const orm = await openOrm(env);
const nats = await connectNats(env.NATS_URL, 'station-core');

const metrics = createCoreMetrics();
const { registry } = metrics;

// Benchmarks trace persisted events: [id, time persisted, station time] go out in small batches on core.evt.processed.
let traced: [string, number, number][] = [];
const traceSubject = `${env.NATS_PREFIX ? `${env.NATS_PREFIX}.` : ''}core.evt.processed`;
if (env.CORE_TRACE_PROCESSED) {
  setInterval(() => {
    if (traced.length === 0) return;
    nats.publish(traceSubject, JSON.stringify(traced));
    traced = [];
  }, 20).unref();
}

const core = await startStationCore({
  env,
  orm,
  nats,
  logger,
  metrics,
  onProcessed: ({ msgId, ts }) => {
    if (env.CORE_TRACE_PROCESSED) traced.push([msgId, Date.now(), ts]);
  },
});

const app = new Hono();
app.get('/metrics', async (c) =>
  c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }),
);
app.get('/health', (c) => c.json({ ok: true, actors: core.host.size }));
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: env.CORE_METRICS_PORT });

async function shutdown(): Promise<void> {
  server.close();
  await core.stop();
  await nats.drain().catch(() => undefined);
  await orm.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
