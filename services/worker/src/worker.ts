import type { MikroORM } from '@mikro-orm/postgresql';
import type { WorkerEnv } from '@powerbank/config';
import { NotificationSender, type PushPort, type SmsPort } from '@powerbank/notify';
import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import { JOBS, type JobDefinition, registerJobs } from './jobs.ts';

export interface WorkerDeps {
  env: WorkerEnv;
  orm: MikroORM;
  logger: Logger;
  sms: SmsPort;
  push: PushPort;
  /** The jobs to run (default: all of JOBS). */
  jobs?: readonly JobDefinition[];
}

export interface RunningWorker {
  boss: PgBoss;
  senders: NotificationSender[];
  stop(): Promise<void>;
}

/**
 * The job worker: pg-boss (its tables in the same Postgres) runs the scheduled jobs of JOBS, and
 * NOTIFY_SENDERS notification senders drain the outbox. Any number of workers may run: pg-boss
 * hands each cron tick to one of them, and the senders' claims never overlap.
 */
export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  const { env, orm, logger } = deps;
  const boss = new PgBoss({
    connectionString: env.DATABASE_URL,
    max: env.JOBS_POOL_MAX,
    application_name: 'powerbank-worker',
  });
  boss.on('error', (error) => logger.error({ err: error }, 'pg-boss error'));
  await boss.start();
  const senders = Array.from(
    { length: env.NOTIFY_SENDERS },
    () =>
      new NotificationSender(() => orm.em.fork(), {
        sms: deps.sms,
        push: deps.push,
        limit: env.NOTIFY_BATCH_SIZE,
        pollMs: env.NOTIFY_POLL_MS,
        sendTimeoutMs: env.PROVIDER_TIMEOUT_MS,
        maxAttempts: env.NOTIFY_MAX_ATTEMPTS,
        backoff: { baseMs: env.NOTIFY_RETRY_BASE_MS, maxMs: env.NOTIFY_RETRY_MAX_MS },
        leaseMs: env.NOTIFY_LEASE_MS,
        onError: (error) => logger.error({ err: error }, 'notification round failed'),
      }),
  );
  await registerJobs(boss, { orm, logger }, deps.jobs ?? JOBS);
  for (const sender of senders) sender.start();
  logger.info({ senders: senders.length, sms: deps.sms.name, push: deps.push.name }, 'worker started');
  return {
    boss,
    senders,
    async stop() {
      await Promise.all(senders.map((s) => s.stop()));
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}
