import type { ChildProcess } from 'node:child_process';
import { EngagementSeeder, User, UserDevice } from '@powerbank/db';
import { ledger } from '@powerbank/ledger';
import { FakeFcm, FakeTwilio, fakeProvidersWorkerEnv } from '@powerbank/notify/testing';
import { runRentalTimers } from '@powerbank/rentals';
import { spawnService, stopService } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreHarness } from '../../../../station-core/src/testing/core-harness.ts';
import { bearer, setAppConfig, signUp } from '../../testing/auth-helpers.ts';
import { aRentalPackage } from '../../testing/rental-packages.ts';
import { startRentalStack } from '../../testing/rental-stack.ts';
import { aStation } from '../../testing/stations.ts';
import type { TestApi } from '../../testing/test-app.ts';

const poll = { timeout: 30_000, interval: 100 };
const twilio = new FakeTwilio();
const fcm = new FakeFcm();
const workers: ChildProcess[] = [];
let h: CoreHarness;
let api: TestApi;
let close: () => Promise<void>;

/** The worker service as infra/up runs it, its providers configured at the fake Twilio and FCM. */
function spawnWorker(port: number): ChildProcess {
  const child = spawnService('services/worker/src/main.ts', {
    DATABASE_URL: h.db.db.url,
    LOG_LEVEL: 'warn',
    WORKER_METRICS_PORT: String(port),
    ...fakeProvidersWorkerEnv(twilio, fcm),
  });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  await Promise.all([twilio.start(), fcm.start()]);
  const stack = await startRentalStack();
  ({ h, api } = stack);
  close = () => stack.close();
  await setAppConfig(api, { otp_sends_per_ip_hour: 100_000 });
  // The seed's templates and rules: started, due soon and returned by push; overdue by push and SMS.
  await new EngagementSeeder().run(api.deps.orm.em.fork());
}, 60_000);
afterAll(async () => {
  await Promise.all(workers.map((child) => stopService(child, 'SIGKILL')));
  await close?.();
  await Promise.all([twilio.close(), fcm.close()]);
});

const pushedTypes = () => fcm.accepted.map((a) => a.message.data?.type);

describe('a rental’s notices end to end (simulator, station-core, api, the worker process, fake FCM and Twilio)', () => {
  it('started → due soon → overdue → returned: in-app notices and the pushes/SMS the rules name, in order, none twice across a worker killed mid-send', {
    timeout: 120_000,
  }, async () => {
    const em = api.deps.orm.em.fork();
    const pkg = aRentalPackage(em, 'short', { durationMinutes: 5, price: 100 });
    await em.flush();
    const station = await aStation(h, [{ slot: 1, battery: 90 }]);
    const user = await signUp(api);
    await ledger.creditWallet(api.deps.orm.em.fork(), {
      userId: user.userId,
      amount: 5_000,
      type: 'topup',
      idempotencyKey: `e2e-topup:${user.userId}`,
    });
    const devices = api.deps.orm.em.fork();
    devices.create(UserDevice, {
      user: devices.getReference(User, user.userId),
      deviceId: 'phone',
      platform: 'android',
      pushToken: 'e2e-token',
    });
    await devices.flush();

    // The overdue push hangs at FCM: the worker is killed while it is in flight.
    let hung = 0;
    fcm.answer = (message) => {
      if (message.data?.type !== 'rental_overdue') return 'accept';
      hung += 1;
      return 'hang';
    };
    let worker = spawnWorker(9300 + (process.pid % 50));

    const started = await api.rest(
      'POST',
      '/api/rentals/start',
      {
        station_sn: station.sn,
        package_id: pkg.id,
        payment_mode: 'wallet',
        idempotency_key: `e2e-${user.userId}`,
      },
      bearer(user.token),
    );
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const rental = started.body.data;
    await expect.poll(pushedTypes, poll).toEqual(['rental_started']);

    // Driven by the timers as the rental runner's tick drives them: due in 5 minutes is due soon…
    await runRentalTimers(api.deps.orm.em.fork());
    await expect.poll(pushedTypes, poll).toEqual(['rental_started', 'rental_due_soon']);
    // …and, at a clock past the due time, overdue (its push and SMS: a mandatory rule).
    await runRentalTimers(api.deps.orm.em.fork(), new Date(Date.now() + 6 * 60_000));
    await expect.poll(() => ({ hung, sms: twilio.accepted.length }), poll).toEqual({ hung: 1, sms: 1 });
    await stopService(worker, 'SIGKILL');
    fcm.answer = () => 'accept';
    worker = spawnWorker(9360 + (process.pid % 50));

    await station.sim.insert(station.sn, 1, rental.power_bank_serial, 80);
    await expect
      .poll(
        async () =>
          (await h.sql<{ status: string }>('select status from rental where id = ?', [rental.id]))[0]?.status,
        poll,
      )
      .toBe('settled');
    await expect.poll(pushedTypes, poll).toEqual(['rental_started', 'rental_due_soon', 'rental_returned']);

    // In-app: every notice once, in order, rendered from the seed's templates (no raw text left).
    const notices = await h.sql<{ type: string; title: string; body: string }>(
      `select type, title, body from notification where user_id = ? and type like 'rental_%' order by created_at, id`,
      [user.userId],
    );
    expect(notices.map((n) => n.type)).toEqual([
      'rental_started',
      'rental_due_soon',
      'rental_overdue',
      'rental_returned',
    ]);
    const pushes = fcm.accepted.map((a) => a.message.notification?.body ?? '');
    expect(pushes[0]).toContain(rental.power_bank_serial);
    expect(pushes.every((body) => !body.includes('{{'))).toBe(true);
    expect(twilio.accepted.map((a) => a.message.body)).toEqual([
      expect.stringMatching(/^Your rental was due at \d{4}-/),
    ]);
    // The push in flight when the worker died is not sent again (its outcome is unknown, recorded so).
    await expect
      .poll(
        async () =>
          (
            await h.sql<{ status: string }>(
              `select d.status from notification_delivery d join notification n on n.id = d.notification_id
                where n.user_id = ? and n.type = 'rental_overdue' and d.channel = 'push'`,
              [user.userId],
            )
          )[0]?.status,
        poll,
      )
      .toBe('unknown');
    expect(hung).toBe(1);
    const sent = await h.sql<{ recipient: string; n: number }>(
      `select l.recipient, count(*)::int as n from sms_fcm_log l where l.user_id = ? and l.status = 'sent'
        group by l.recipient, l.content having count(*) > 1`,
      [user.userId],
    );
    expect(sent).toEqual([]);
  });
});
