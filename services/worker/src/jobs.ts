import type { MikroORM } from '@mikro-orm/postgresql';
import { ANALYTICS_REFRESH_JOB, refreshAnalytics } from '@powerbank/db';
import { ENGAGEMENT_JOBS } from '@powerbank/engagement';
import {
  cancelMissedPickups,
  expireMarketReservations,
  remindHandovers,
  renewDueSubscriptions,
} from '@powerbank/market';
import type { PgBoss, Queue, WorkOptions } from 'pg-boss';
import type { Logger } from 'pino';
import { ensurePartitions, expireStale } from './maintenance.ts';

export interface JobContext {
  orm: MikroORM;
  logger: Logger;
}

/**
 * One scheduled or queued piece of work. `cron` (UTC) puts it on pg-boss's schedule: one job per
 * tick however many workers run. The queue is `exclusive` unless said otherwise: one queued or
 * active job at a time, so two workers never run it at once.
 */
export interface JobDefinition {
  name: string;
  cron?: string;
  /** Also queued when a worker starts (work that must not wait for the first tick). */
  runAtStart?: boolean;
  queue?: Omit<Queue, 'name'>;
  work?: WorkOptions;
  run(context: JobContext, data: unknown): Promise<unknown>;
}

/**
 * The one place where the worker's jobs are declared: add an entry to run more work on pg-boss
 * (retries, singleton, cron and several workers without double runs come with it).
 */
export const JOBS: readonly JobDefinition[] = [
  {
    name: 'partitions-ensure',
    cron: '17 3 * * *',
    runAtStart: true,
    run: ({ orm }) => ensurePartitions(orm.em.fork()),
  },
  {
    name: 'expire-stale',
    cron: '*/10 * * * *',
    run: ({ orm }) => expireStale(orm.em.fork()),
  },
  {
    // The reports' materialised views; the queue is exclusive and the refresh takes an advisory
    // lock, so a slow refresh is never overlapped by the next tick.
    name: ANALYTICS_REFRESH_JOB,
    cron: '*/5 * * * *',
    run: ({ orm }) => refreshAnalytics(orm),
  },
  {
    // Unpaid marketplace reservations past their deadline give their items back.
    name: 'market-reservations-expire',
    cron: '* * * * *',
    run: async ({ orm }) => ({ expired: await expireMarketReservations(orm.em.fork()) }),
  },
  {
    // Marketplace subscriptions: charge the next period (one payment key per period), retry a
    // refused charge, lapse after the last attempt, end the ones cancelled at their period's end.
    name: 'market-subscriptions-renew',
    cron: '* * * * *',
    run: ({ orm }) => renewDueSubscriptions(orm.em.fork()),
  },
  {
    // Reminders before each pickup/return slot, through the notification rules.
    name: 'market-handover-reminders',
    cron: '* * * * *',
    run: async ({ orm }) => ({ reminded: await remindHandovers(orm.em.fork()) }),
  },
  {
    // Paid orders not picked up by their slot plus the seller's grace are cancelled by the policy.
    name: 'market-missed-pickups',
    cron: '*/5 * * * *',
    run: async ({ orm }) => ({ cancelled: await cancelMissedPickups(orm.em.fork()) }),
  },
  // Leaderboards, achievement catch-up, loyalty tiers: engagement's own list, run here.
  ...ENGAGEMENT_JOBS.map(
    (job): JobDefinition => ({
      name: job.name,
      cron: job.cron,
      run: ({ orm }) => job.run(orm.em.fork(), new Date()),
    }),
  ),
];

/** Creates each job's queue, schedules the cron ones, and starts working them. */
export async function registerJobs(
  boss: PgBoss,
  context: JobContext,
  jobs: readonly JobDefinition[] = JOBS,
): Promise<void> {
  for (const job of jobs) {
    await boss.createQueue(job.name, {
      policy: 'exclusive',
      retryLimit: 3,
      retryBackoff: true,
      ...job.queue,
    });
    if (job.cron) await boss.schedule(job.name, job.cron, null, { tz: 'UTC' });
    await boss.work(job.name, { pollingIntervalSeconds: 5, ...job.work }, async ([first]) => {
      const result = await job.run(context, first?.data);
      context.logger.info({ job: job.name, result }, 'job done');
      return result;
    });
    if (job.runAtStart) await boss.send(job.name, null);
  }
}
