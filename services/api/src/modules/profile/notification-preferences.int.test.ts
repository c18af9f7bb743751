import { createApiClient } from '@powerbank/api-client';
import { NotificationRule, NotificationTemplate, User, UserDevice } from '@powerbank/db';
import { LocalPush, LocalSms, NotificationSender, queueNotice } from '@powerbank/notify';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, useTestApi } from '../../testing/auth-helpers.ts';

const getApi = useTestApi();
const client = (token: string) => createApiClient({ url: 'http://api.test', fetch: getApi().fetch, token });

beforeAll(async () => {
  const em = getApi().deps.orm.em.fork();
  for (const [code, mandatory] of [
    ['pref_offer', false],
    ['pref_news', false],
    ['pref_overdue', true],
  ] as const) {
    const template = em.create(NotificationTemplate, {
      code,
      channel: 'in_app',
      title: code,
      body: `${code} for {{name}}`,
    });
    em.create(NotificationRule, {
      eventCode: code,
      template,
      channels: ['in_app', 'push', 'sms'],
      mandatory,
    });
  }
  await em.flush();
});

/** A signed-up user with a push token, and the notices of every test code queued for them. */
async function withDevice(user: SignedUp): Promise<string> {
  const em = getApi().deps.orm.em.fork();
  const token = `pref-token-${user.userId}`;
  em.create(UserDevice, {
    user: em.getReference(User, user.userId),
    deviceId: 'phone',
    platform: 'android',
    pushToken: token,
  });
  await em.flush();
  return token;
}

async function notifyAll(userId: string): Promise<void> {
  const em = getApi().deps.orm.em.fork();
  for (const type of ['pref_offer', 'pref_news', 'pref_overdue']) {
    queueNotice(em, { userId, type, vars: { name: 'Ada' }, title: type, body: type, dedupeKey: type });
  }
  await em.flush();
}

/** Sender rounds until none of the user's deliveries is left to send. */
async function send(userId: string, sms: LocalSms, push: LocalPush): Promise<void> {
  const orm = getApi().deps.orm;
  const sender = new NotificationSender(() => orm.em.fork(), {
    sms,
    push,
    limit: 50,
    pollMs: 10,
    sendTimeoutMs: 2_000,
    maxAttempts: 3,
    backoff: { baseMs: 10, maxMs: 50 },
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    await sender.round();
    const [left] = await orm.em
      .fork()
      .getConnection()
      .execute<{ n: number }[]>(
        `select (select count(*) from notification where user_id = ? and dispatched_at is null)
            + (select count(*) from notification_delivery d join notification n on n.id = d.notification_id
                where n.user_id = ? and d.status in ('pending', 'sending')) as n`,
        [userId, userId],
      );
    if (Number(left?.n) === 0) return;
    if (Date.now() > deadline) throw new Error('notices still unsent at the deadline');
  }
}

describe('notification preferences in the profile', () => {
  it('read and set over REST (PATCH) and tRPC (replace); the sender honours them except for mandatory rules', async () => {
    const api = getApi();
    const user = await signUp(api);
    const token = await withDevice(user);

    const initial = await api.rest('GET', '/api/user/profile', undefined, bearer(user.token));
    expect(initial.body.data.notificationPreferences).toEqual({ push: true, sms: true, muted: [] });

    const patched = await api.rest(
      'PATCH',
      '/api/user/profile',
      { notificationPreferences: { push: false, muted: ['pref_news', 'pref_overdue'] } },
      bearer(user.token),
    );
    expect(patched.status).toBe(200);
    expect(patched.body.data.notificationPreferences).toEqual({
      push: false,
      sms: true,
      muted: ['pref_news', 'pref_overdue'],
    });
    const read = await client(user.token).profile.get.query({});
    expect(read.notificationPreferences).toEqual(patched.body.data.notificationPreferences);

    await notifyAll(user.userId);
    const sms = new LocalSms({ keep: true, logger: null });
    const push = new LocalPush({ keep: true, logger: null });
    await send(user.userId, sms, push);
    // Push off: only the mandatory overdue pushes. SMS on: the offer, and the overdue though muted.
    expect(push.pushesTo(token).map((m) => m.data.type)).toEqual(['pref_overdue']);
    expect([...sms.textsTo(user.phone)].sort()).toEqual(['pref_offer for Ada', 'pref_overdue for Ada']);
  });

  it('tRPC replace without preferences restores the defaults; bad preferences are refused and change nothing', async () => {
    const api = getApi();
    const user = await signUp(api);
    const trpc = client(user.token).profile;
    await trpc.update.mutate({ notificationPreferences: { sms: false } });
    expect((await trpc.get.query({})).notificationPreferences).toEqual({ push: true, sms: false, muted: [] });

    for (const bad of [{ sms: 'no' }, { muted: 'pref_news' }, { push: true, email: false }]) {
      const refused = await api.rest(
        'PATCH',
        '/api/user/profile',
        { notificationPreferences: bad },
        bearer(user.token),
      );
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await trpc.get.query({})).notificationPreferences).toEqual({ push: true, sms: false, muted: [] });

    await trpc.replace.mutate({ firstName: 'Ada', lastName: 'Lovelace' });
    expect((await trpc.get.query({})).notificationPreferences).toEqual({ push: true, sms: true, muted: [] });
  });
});
