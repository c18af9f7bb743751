import type { ChildProcess } from 'node:child_process';
import { NotificationRule, NotificationTemplate, sqlBatch, User, UserDevice } from '@powerbank/db';
import { FakeFcm, FakeTwilio, fakeProvidersWorkerEnv } from '@powerbank/notify/testing';
import { noticeStatement } from '@powerbank/rentals';
import { anyRow, createTestOrm, spawnService, stopService, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let db: TestOrm;
const twilio = new FakeTwilio();
const fcm = new FakeFcm();
const em = () => db.orm.em.fork();
const sql = <R>(text: string, values: unknown[] = []) => em().getConnection().execute<R[]>(text, values);
const running: ChildProcess[] = [];

async function until(check: () => boolean | Promise<boolean>, ms = 25_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const deliveries = await sql('select channel, status, attempts, last_error from notification_delivery');
      const notices = await sql('select type, dispatched_at from notification');
      throw new Error(
        `condition not met before the deadline: ${JSON.stringify({ deliveries, notices, sms: twilio.accepted.length, push: fcm.accepted.length })}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The worker service as infra/up runs it, sending through the fake Twilio and FCM servers. */
function spawnWorker(port: number): ChildProcess {
  const child = spawnService('services/worker/src/main.ts', {
    DATABASE_URL: db.db.url,
    LOG_LEVEL: 'warn',
    WORKER_METRICS_PORT: String(port),
    ...fakeProvidersWorkerEnv(twilio, fcm),
  });
  running.push(child);
  return child;
}

beforeAll(async () => {
  db = await createTestOrm();
  await Promise.all([twilio.start(), fcm.start()]);
  const e = em();
  const template = e.create(NotificationTemplate, {
    code: 'rental_overdue',
    channel: 'in_app',
    title: 'Rental overdue',
    body: 'Your rental was due at {{dueAt}}',
  });
  e.create(NotificationRule, {
    eventCode: 'rental_overdue',
    template,
    channels: ['in_app', 'push', 'sms'],
    mandatory: true,
  });
  await e.flush();
});
afterAll(async () => {
  await Promise.all(running.map((child) => stopService(child, 'SIGKILL')));
  await Promise.all([twilio.close(), fcm.close()]);
  await db.close();
});

describe('the worker process killed mid-send', () => {
  it('a rental notice (written as the rental path writes it) is sent once; a kill mid-send never duplicates', {
    timeout: 90_000,
  }, async () => {
    const e = em();
    const users = Array.from({ length: 3 }, (_, i) => anyRow(e, User, { phone: `+1555333000${i}` }));
    for (const [i, user] of users.entries()) {
      e.create(UserDevice, { user, deviceId: 'd', platform: 'android', pushToken: `crash-token-${i}` });
    }
    await e.flush();
    // The first user's SMS and push hang at the providers: the worker is killed while they are in flight.
    twilio.answer = (m) => (m.to === users[0]?.phone ? 'hang' : 'accept');
    fcm.answer = (m) => (m.token === 'crash-token-0' ? 'hang' : 'accept');
    const hung = { sms: 0, push: 0 };
    const answer = { sms: twilio.answer, push: fcm.answer };
    twilio.answer = (m, call) => {
      if (m.to === users[0]?.phone) hung.sms += 1;
      return answer.sms(m, call);
    };
    fcm.answer = (m, call) => {
      if (m.token === 'crash-token-0') hung.push += 1;
      return answer.push(m, call);
    };
    // Written as rentals write a notice: the raw statement, in a transaction with the rental's change.
    await em().transactional(async (tem) => {
      await sqlBatch(
        tem,
        users.map((u, i) =>
          noticeStatement({
            userId: u.id,
            rentalId: `00000000-0000-7000-8000-00000000000${i}`,
            type: 'rental_overdue',
            title: 'Rental overdue',
            body: 'Your rental is overdue.',
            payload: { dueAt: '10:00' },
          }),
        ),
      );
    });

    const first = spawnWorker(9180 + (process.pid % 50));
    await until(
      () => hung.sms === 1 && hung.push === 1 && twilio.accepted.length === 2 && fcm.accepted.length === 2,
    );

    // What reached the providers was recorded at once, though two calls were still in flight.
    await until(async () => {
      const rows = await sql<{ n: number }>(
        `select count(*)::int as n from notification_delivery where status = 'sent'`,
      );
      return rows[0]?.n === 4;
    });
    await stopService(first, 'SIGKILL');

    // The restarted worker: the lease runs out, the two claims are marked unknown and not sent again.
    twilio.answer = () => 'accept';
    fcm.answer = () => 'accept';
    spawnWorker(9240 + (process.pid % 50));
    await until(async () => {
      const rows = await sql<{ n: number }>(
        `select count(*)::int as n from notification_delivery where status = 'unknown'`,
      );
      return rows[0]?.n === 2;
    });
    await until(
      async () => (await sql<{ n: number }>(`select count(*)::int as n from sms_fcm_log`))[0]?.n === 6,
    );
    expect(twilio.accepted.map((a) => a.message.to).sort()).toEqual(
      [users[1]?.phone, users[2]?.phone].sort(),
    );
    expect(twilio.accepted[0]?.message.body).toBe('Your rental was due at 10:00');
    expect(fcm.accepted.map((a) => a.message.token).sort()).toEqual(['crash-token-1', 'crash-token-2']);
    expect(hung).toEqual({ sms: 1, push: 1 });
    const unknown = await sql<{ status: string; error: string }>(
      `select l.status, l.error from sms_fcm_log l where l.user_id = ?`,
      [users[0]?.id],
    );
    expect(unknown).toHaveLength(2);
    expect(unknown.every((l) => l.status === 'failed' && l.error.includes('stopped while sending'))).toBe(
      true,
    );
  });
});
