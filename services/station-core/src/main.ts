import { serve } from '@hono/node-server';
import { closeServer, dbPoolMax, parseConfig, shutdownOnSignal, stationCoreEnv } from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { connectNats } from '@powerbank/messaging';
import { Hono } from 'hono';
import pino from 'pino';
import { STATION_SQL_POOL_MAX, startStationCore } from './core.ts';
import { createCoreMetrics } from './metrics.ts';

const env = parseConfig(stationCoreEnv);
const logger = pino({ name: 'station-core', level: env.LOG_LEVEL, base: { service: 'station-core' } });
// Its share of the connection budget, less what its plain-SQL pool holds.
const orm = await openOrm({
  ...env,
  DB_POOL_MAX: Math.max(1, dbPoolMax(env, 'station-core') - STATION_SQL_POOL_MAX),
});
const nats = await connectNats(env.NATS_URL, 'station-core');

const metrics = createCoreMetrics();
const { registry } = metrics;

// Benchmarks and chaos tests trace persisted events: [id, time persisted, station time] go out on
// core.evt.processed, one batch per turn of the event loop, so a trace leaves together with the
// acknowledgements of the same turn: an event acknowledged is traced, even by a process killed then.
let traced: [string, number, number][] = [];
let tracing = false;
const traceSubject = `${env.NATS_PREFIX ? `${env.NATS_PREFIX}.` : ''}core.evt.processed`;
const flushTraces = () => {
  tracing = false;
  if (traced.length === 0) return;
  nats.publish(traceSubject, JSON.stringify(traced));
  traced = [];
};

const core = await startStationCore({
  env,
  orm,
  nats,
  logger,
  metrics,
  onProcessed: ({ msgId, ts }) => {
    if (!env.CORE_TRACE_PROCESSED) return;
    traced.push([msgId, Date.now(), ts]);
    if (!tracing) {
      tracing = true;
      setImmediate(flushTraces);
    }
  },
});

const app = new Hono();
app.get('/metrics', async (c) =>
  c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }),
);
app.get('/health', (c) => c.json({ ok: true, actors: core.host.size }));
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: env.CORE_METRICS_PORT });

shutdownOnSignal({
  logger,
  timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  steps: [
    { name: 'metrics http', run: () => closeServer(server) },
    // Stops consuming and answering; the events and rental work in flight finish first.
    { name: 'core', run: () => core.stop() },
    { name: 'traces', run: async () => flushTraces() },
    { name: 'nats', run: () => nats.drain() },
    { name: 'database', run: () => orm.close() },
  ],
});
