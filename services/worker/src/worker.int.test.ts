import { parseConfig, workerEnv } from '@powerbank/config';
import {
  ANALYTICS_REFRESH_JOB,
  Invoice,
  NotificationRule,
  NotificationTemplate,
  PaymentIntent,
  RentalOrder,
  SubscriptionPlan,
  User,
  UserDevice,
  UserPoints,
  UserSubscription,
  Wallet,
} from '@powerbank/db';
import { LocalPush, LocalSms, queueNotice } from '@powerbank/notify';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS, type JobDefinition } from './jobs.ts';
import { expireStale } from './maintenance.ts';
import { type RunningWorker, startWorker } from './worker.ts';

let db: TestOrm;
const em = () => db.orm.em.fork();
const sql = <R>(text: string, values: unknown[] = []) => em().getConnection().execute<R[]>(text, values);
const local = { keep: true, logger: null };

/** Polls `check` until it holds, or fails after `ms`. */
async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function workerOn(sms: LocalSms, push: LocalPush, jobs?: readonly JobDefinition[]): Promise<RunningWorker> {
  const env = parseConfig(workerEnv, { ...process.env, DATABASE_URL: db.db.url, NOTIFY_POLL_MS: '20' });
  return startWorker({ env, orm: db.orm, logger: pino({ level: 'silent' }), sms, push, jobs });
}

beforeAll(async () => {
  db = await createTestOrm();
});
afterAll(() => db.close());

describe('the job worker', () => {
  it('creates the coming months’ partitions when it starts (pg-boss job), and sends committed notices', async () => {
    const ahead = await sql<{ name: string }>(
      `select to_char(date_trunc('month', now() at time zone 'UTC') + interval '3 months', '"system_log_p"YYYYMM') as name`,
    );
    const partition = ahead[0]?.name ?? '';
    await sql(`drop table if exists "${partition}"`);

    const e = em();
    const user = anyRow(e, User, { phone: '+15552220001' });
    e.create(UserDevice, { user, deviceId: 'phone', platform: 'ios', pushToken: 'worker-token' });
    const template = e.create(NotificationTemplate, {
      code: 'worker_demo',
      channel: 'in_app',
      title: 'Hi',
      body: 'Rental {{rental}} is due',
    });
    e.create(NotificationRule, { eventCode: 'worker_demo', template, channels: ['in_app', 'push', 'sms'] });
    await e.flush();
    queueNotice(e, {
      userId: user.id,
      type: 'worker_demo',
      vars: { rental: 'R1' },
      title: 'x',
      body: 'y',
      dedupeKey: 'worker-demo',
    });
    await e.flush();

    const sms = new LocalSms(local);
    const push = new LocalPush(local);
    const worker = await workerOn(sms, push);
    try {
      await until(
        async () => sms.textsTo('+15552220001').length > 0 && push.pushesTo('worker-token').length > 0,
      );
      expect(sms.textsTo('+15552220001')).toEqual(['Rental R1 is due']);
      await until(
        async () =>
          (await sql<{ t: string | null }>(`select to_regclass(?) as t`, [partition]))[0]?.t !== null,
      );
    } finally {
      await worker.stop();
    }
  });

  it('expires stale OTP challenges and abandoned top-up intents, leaving live ones', async () => {
    await sql(
      `insert into otp_challenge (id, phone, code_hash, purpose, expires_at, attempts, created_at, updated_at) values
       (gen_random_uuid(), '+1old', 'h', 'login', now() - interval '2 days', 0, now() - interval '2 days', now()),
       (gen_random_uuid(), '+1new', 'h', 'login', now() - interval '10 minutes', 0, now(), now())`,
    );
    const before = await sql<{ phone: string }>(
      `select phone from otp_challenge where phone in ('+1old', '+1new')`,
    );
    expect(before).toHaveLength(2);
    const e = em();
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
    const abandoned = anyRow(e, PaymentIntent, {
      status: 'pending',
      expiresAt: hoursAgo(2),
      creditedAt: null,
    });
    const justExpired = anyRow(e, PaymentIntent, {
      status: 'created',
      expiresAt: hoursAgo(0.1),
      creditedAt: null,
    });
    await e.flush();
    const result = await expireStale(em());
    expect(result).toEqual({ otps: 1, intents: 1 });
    const statuses = await sql<{ id: string; status: string }>(
      'select id, status from payment_intent where id in (?, ?)',
      [abandoned.id, justExpired.id],
    );
    expect(Object.fromEntries(statuses.map((r) => [r.id, r.status]))).toEqual({
      [abandoned.id]: 'expired',
      [justExpired.id]: 'created',
    });
    expect(await sql(`select phone from otp_challenge where phone in ('+1old', '+1new')`)).toEqual([
      { phone: '+1new' },
    ]);
  });

  it('two workers started together run a job once at a time: the second one’s start request is refused', async () => {
    await sql('create table job_runs (at timestamptz not null default now(), finished timestamptz)');
    // A job that takes a while, queued by every worker at start: the exclusive queue holds one.
    const slow: JobDefinition = {
      name: 'test-exclusive',
      runAtStart: true,
      work: { pollingIntervalSeconds: 0.5 },
      run: async ({ orm }) => {
        await orm.em.fork().getConnection().execute('insert into job_runs default values');
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await orm.em
          .fork()
          .getConnection()
          .execute('update job_runs set finished = now() where finished is null');
      },
    };
    const workers = await Promise.all(
      [0, 1].map(() => workerOn(new LocalSms(local), new LocalPush(local), [slow])),
    );
    try {
      await until(
        async () =>
          (await sql<{ n: number }>('select count(*)::int as n from job_runs where finished is not null'))[0]
            ?.n === 1,
      );
      // Long enough for a second run to have started, were one queued.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await sql<{ n: number }>('select count(*)::int as n from job_runs')).toEqual([{ n: 1 }]);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it('schedules the analytics refresh (every 5 minutes) and the market reservation expiry (every minute), and each runs', async () => {
    const e = em();
    const order = anyRow(e, RentalOrder, {
      status: 'reserved',
      reservedUntil: new Date(Date.now() - 60_000),
    });
    anyRow(e, Invoice, { order, amountDue: 500, amountPaid: 0, status: 'issued' });
    await e.flush();
    const refreshedAt = async () =>
      (await sql<{ at: string }>('select refreshed_at::text as at from analytics_refreshed'))[0]?.at;
    const before = await refreshedAt();

    const names = [ANALYTICS_REFRESH_JOB, 'market-reservations-expire'];
    const jobs = JOBS.filter((job) => names.includes(job.name)).map((job) => ({
      ...job,
      work: { pollingIntervalSeconds: 0.5 },
    }));
    const worker = await workerOn(new LocalSms(local), new LocalPush(local), jobs);
    try {
      const schedules = await worker.boss.getSchedules();
      // (Schedules are rows in pg-boss's tables: an earlier test's worker left its own.)
      expect(Object.fromEntries(schedules.map((s) => [s.name, s.cron]))).toMatchObject({
        [ANALYTICS_REFRESH_JOB]: '*/5 * * * *',
        'market-reservations-expire': '* * * * *',
      });
      // What a cron tick does: one job on each queue.
      for (const name of names) await worker.boss.send(name, null);
      await until(async () => (await refreshedAt()) !== before);
      await until(
        async () =>
          (await sql<{ status: string }>('select status from rental_order where id = ?', [order.id]))[0]
            ?.status === 'expired',
      );
      expect(await sql('select status from invoice where order_id = ?', [order.id])).toEqual([
        { status: 'void' },
      ]);
    } finally {
      await worker.stop();
    }
  });

  it('renews a due marketplace subscription on the pg-boss queue (every minute): one charge, the period moved', async () => {
    const e = em();
    const user = anyRow(e, User, { phone: '+15552220077' });
    anyRow(e, Wallet, { user, balance: 5000 });
    anyRow(e, UserPoints, { user, balance: 0 });
    const plan = anyRow(e, SubscriptionPlan, {
      price: 1999,
      durationDays: 30,
      isActive: true,
      discountPct: 10,
    });
    const endsAt = new Date(Date.now() - 60_000);
    const sub = anyRow(e, UserSubscription, {
      user,
      plan,
      status: 'active',
      startsAt: new Date(endsAt.getTime() - 30 * 86_400_000),
      endsAt,
      nextAttemptAt: endsAt,
      cancelAtPeriodEnd: false,
      period: 1,
      renewalAttempts: 0,
      paymentMode: 'wallet',
    });
    await e.flush();
    const jobs = JOBS.filter((job) => job.name === 'market-subscriptions-renew').map((job) => ({
      ...job,
      work: { pollingIntervalSeconds: 0.5 },
    }));
    const worker = await workerOn(new LocalSms(local), new LocalPush(local), jobs);
    try {
      const schedules = await worker.boss.getSchedules();
      expect(Object.fromEntries(schedules.map((s) => [s.name, s.cron]))).toMatchObject({
        'market-subscriptions-renew': '* * * * *',
      });
      // Two ticks' worth of jobs: the second finds nothing due.
      await worker.boss.send('market-subscriptions-renew', null);
      await worker.boss.send('market-subscriptions-renew', null);
      await until(
        async () =>
          (await sql<{ period: number }>('select period from user_subscription where id = ?', [sub.id]))[0]
            ?.period === 2,
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(
        await sql('select amount::int as amount from wallet_transaction where user_id = ? and type = ?', [
          user.id,
          'subscription',
        ]),
      ).toEqual([{ amount: -1999 }]);
    } finally {
      await worker.stop();
    }
  });
});
