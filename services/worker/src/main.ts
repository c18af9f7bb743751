import { serve } from '@hono/node-server';
import { closeServer, parseConfig, shutdownOnSignal, workerEnv } from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { providersFor } from '@powerbank/notify';
import { Hono } from 'hono';
import pino from 'pino';
import { startWorker } from './worker.ts';

const env = parseConfig(workerEnv);
const logger = pino({ name: 'worker', level: env.LOG_LEVEL, base: { service: 'worker' } });
// Outside the services' budget shares (docs/architecture.md): two connections per sender and two
// for the jobs, unless DB_POOL_MAX says otherwise; pg-boss has its own JOBS_POOL_MAX.
const orm = await openOrm({
  ...env,
  DB_POOL_MIN: 0,
  DB_POOL_MAX: env.DB_POOL_MAX ?? env.NOTIFY_SENDERS * 2 + 2,
});
const worker = await startWorker({ env, orm, logger, ...providersFor(env, logger) });

const app = new Hono();
app.get('/health', (c) => c.json({ ok: true, senders: worker.senders.length }));
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: env.WORKER_METRICS_PORT });

shutdownOnSignal({
  logger,
  timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  steps: [
    { name: 'health http', run: () => closeServer(server) },
    // The senders finish their round (its sends are recorded), pg-boss its running jobs.
    { name: 'worker', run: () => worker.stop() },
    { name: 'database', run: () => orm.close() },
  ],
});
