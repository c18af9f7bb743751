import type { EntityManager } from '@mikro-orm/postgresql';
import { NotificationRule, NotificationTemplate, User, UserDevice, UserProfile } from '@powerbank/db';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDue, releaseStaleClaims } from './deliver.ts';
import { dispatchAndClaim, dispatchNotices } from './dispatch.ts';
import { NoticeBook } from './notice-book.ts';
import {
  ProviderError,
  type ProviderReceipt,
  type PushMessage,
  type PushPort,
  type SmsMessage,
  type SmsPort,
} from './providers/ports.ts';
import { queueNotice } from './queue-notice.ts';
import { NotificationSender, type SenderOptions } from './sender.ts';

/** A provider double that counts what reached it; `answer` decides each call's fate. */
class CountingProvider implements SmsPort, PushPort {
  readonly name = 'counting';
  readonly received: (SmsMessage | PushMessage)[] = [];
  answer: (message: SmsMessage | PushMessage, call: number) => Promise<ProviderReceipt> = async () => ({
    messageId: `m-${this.received.length}`,
  });

  async send(message: SmsMessage | PushMessage): Promise<ProviderReceipt> {
    const receipt = await this.answer(message, this.received.length + 1);
    this.received.push(message);
    return receipt;
  }

  to(recipient: string) {
    return this.received.filter((m) => ('to' in m ? m.to : m.token) === recipient);
  }
}

let db: TestOrm;
const em = () => db.orm.em.fork();
const sql = <R>(text: string, values: unknown[] = []) => em().getConnection().execute<R[]>(text, values);

beforeAll(async () => {
  db = await createTestOrm();
  const e = em();
  for (const [code, channels, mandatory] of [
    ['demo_event', ['in_app', 'push', 'sms'], false],
    ['demo_alert', ['in_app', 'push', 'sms'], true],
    ['demo_quiet', ['in_app'], false],
  ] as const) {
    const inApp = e.create(NotificationTemplate, {
      code,
      channel: 'in_app',
      locale: 'en',
      title: 'Hello {{name}}',
      body: 'You have {{points}} points',
    });
    e.create(NotificationRule, { eventCode: code, template: inApp, channels: [...channels], mandatory });
  }
  e.create(NotificationTemplate, {
    code: 'demo_event',
    channel: 'push',
    locale: 'de',
    title: 'Hallo {{name}}',
    body: 'Du hast {{points}} Punkte',
  });
  await e.flush();
});
afterAll(() => db.close());

let phoneCounter = 0;
async function aUser(options: { language?: string; preferences?: object; tokens?: string[] } = {}) {
  const e = em();
  phoneCounter += 1;
  const user = anyRow(e, User, {
    phone: `+1555${String(process.pid).slice(-3)}${String(phoneCounter).padStart(4, '0')}`,
    status: 'active',
  });
  e.create(UserProfile, {
    user,
    language: options.language ?? 'en',
    notificationPreferences: options.preferences ?? null,
  });
  for (const [i, token] of (options.tokens ?? [`tok-${user.id}`]).entries()) {
    e.create(UserDevice, { user, deviceId: `d${i}`, platform: 'android', pushToken: token });
  }
  await e.flush();
  return { id: user.id, phone: user.phone ?? '', token: options.tokens?.[0] ?? `tok-${user.id}` };
}

async function notify(
  userId: string,
  type = 'demo_event',
  key: string = crypto.randomUUID(),
  work?: (em: EntityManager) => Promise<void>,
) {
  await em().transactional(async (tem) => {
    queueNotice(tem, {
      userId,
      type,
      vars: { name: 'Ada', points: 7 },
      title: 'fallback title',
      body: 'fallback body',
      dedupeKey: key,
    });
    await tem.flush();
    await work?.(tem);
  });
}

function senderOptions(sms: SmsPort, push: PushPort, extra: Partial<SenderOptions> = {}): SenderOptions {
  return {
    sms,
    push,
    limit: 50,
    pollMs: 20,
    sendTimeoutMs: 2_000,
    maxAttempts: 4,
    backoff: { baseMs: 50, maxMs: 400 },
    ...extra,
  };
}

/**
 * A sender's rounds (the worker's path: dispatch with the deliveries claimed and sent at once, then
 * the deliveries due again) until `until` holds (deadline-bound).
 */
async function drain(options: SenderOptions, until: () => Promise<boolean>) {
  const sender = new NotificationSender(em, options);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    await sender.round();
    if (await until()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('deliveries did not settle before the deadline');
}

/** Polls `check` until it holds (deadline-bound). */
async function drainUntil(check: () => Promise<boolean>) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const deliveriesOf = (userId: string) =>
  sql<{ channel: string; status: string; attempts: number; last_error: string | null }>(
    `select d.channel, d.status, d.attempts, d.last_error from notification_delivery d
     join notification n on n.id = d.notification_id where n.user_id = ? order by d.channel`,
    [userId],
  );
const settled = (userId: string) => async () =>
  (await deliveriesOf(userId)).every((d) => !['pending', 'sending'].includes(d.status));

describe('notification delivery by rules', () => {
  it('a notice of a rolled-back change is never sent; the committed one is sent once per channel', async () => {
    const user = await aUser();
    const provider = new CountingProvider();
    await expect(
      notify(user.id, 'demo_event', 'rolled-back', async () => {
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    await notify(user.id, 'demo_event', 'committed');
    await drain(senderOptions(provider, provider), settled(user.id));
    await drain(senderOptions(provider, provider), settled(user.id));

    expect(provider.to(user.phone)).toEqual([{ to: user.phone, text: 'You have 7 points' }]);
    expect(provider.to(user.token)).toHaveLength(1);
    const notices = await sql<{ title: string; body: string; dispatched: boolean }>(
      'select title, body, dispatched_at is not null as dispatched from notification where user_id = ?',
      [user.id],
    );
    // The in-app row is rendered from its template.
    expect(notices).toEqual([{ title: 'Hello Ada', body: 'You have 7 points', dispatched: true }]);
    const log = await sql<{ channel: string; status: string; provider_message_id: string }>(
      'select channel, status, provider_message_id from sms_fcm_log where user_id = ? order by channel',
      [user.id],
    );
    expect(log.map((l) => [l.channel, l.status])).toEqual([
      ['push', 'sent'],
      ['sms', 'sent'],
    ]);
    expect(log.every((l) => l.provider_message_id?.startsWith('m-'))).toBe(true);
  });

  it('renders in the user locale with fallback; preferences are honoured except for mandatory rules', async () => {
    const german = await aUser({ language: 'de-AT' });
    const quiet = await aUser({ preferences: { push: false, muted: ['demo_alert'] } });
    const provider = new CountingProvider();
    await notify(german.id);
    await notify(quiet.id, 'demo_event');
    await notify(quiet.id, 'demo_alert');
    await notify(quiet.id, 'demo_quiet');
    for (const user of [german, quiet]) await drain(senderOptions(provider, provider), settled(user.id));

    // de-AT → de for push (a German template exists); SMS has none in German nor its own: in-app English.
    expect(provider.to(german.token)).toMatchObject([{ title: 'Hallo Ada', body: 'Du hast 7 Punkte' }]);
    expect(provider.to(german.phone)).toEqual([{ to: german.phone, text: 'You have 7 points' }]);
    // push off: demo_event only by SMS; demo_alert muted but mandatory: both channels; demo_quiet in-app only.
    expect(provider.to(quiet.token).map((m) => (m as PushMessage).data.type)).toEqual(['demo_alert']);
    expect(provider.to(quiet.phone)).toHaveLength(2);
    const statuses = await sql<{ type: string; channel: string; status: string }>(
      `select n.type, d.channel, d.status from notification_delivery d join notification n on n.id = d.notification_id
       where n.user_id = ? order by n.type, d.channel`,
      [quiet.id],
    );
    expect(statuses).toEqual([
      { type: 'demo_alert', channel: 'push', status: 'sent' },
      { type: 'demo_alert', channel: 'sms', status: 'sent' },
      { type: 'demo_event', channel: 'push', status: 'skipped' },
      { type: 'demo_event', channel: 'sms', status: 'sent' },
    ]);
  });

  it('a provider answering 500 or timing out is retried with backoff, each attempt recorded, sent once', async () => {
    const user = await aUser();
    const provider = new CountingProvider();
    const calls = new Map<string, number>();
    provider.answer = async (message, call) => {
      const to = 'to' in message ? message.to : message.token;
      const mine = (calls.get(to) ?? 0) + 1;
      calls.set(to, mine);
      if ('to' in message && mine === 1) throw new ProviderError('HTTP 500 from the provider', true);
      if ('token' in message && mine === 1) return new Promise(() => {}); // never answers
      return { messageId: `ok-${call}` };
    };
    await notify(user.id);
    const options = senderOptions(provider, provider, { sendTimeoutMs: 300 });
    await drain(options, async () => {
      const d = await deliveriesOf(user.id);
      return d.length === 2 && d.every((x) => x.attempts >= 1 && x.status !== 'sending');
    });
    const afterFirst = await sql<{ channel: string; status: string; wait_ms: number; last_error: string }>(
      `select d.channel, d.status, extract(epoch from d.next_attempt_at - d.updated_at) * 1000 as wait_ms, d.last_error
       from notification_delivery d join notification n on n.id = d.notification_id where n.user_id = ? order by d.channel`,
      [user.id],
    );
    // Backoff: the next attempt is scheduled later, not at once.
    for (const d of afterFirst.filter((x) => x.status === 'pending'))
      expect(Number(d.wait_ms)).toBeGreaterThan(30);
    await drain(options, settled(user.id));

    expect(await deliveriesOf(user.id)).toEqual([
      { channel: 'push', status: 'sent', attempts: 2, last_error: null },
      { channel: 'sms', status: 'sent', attempts: 2, last_error: null },
    ]);
    const log = await sql<{ channel: string; status: string; error: string | null }>(
      'select channel, status, error from sms_fcm_log where user_id = ? order by channel, created_at',
      [user.id],
    );
    expect(log).toEqual([
      { channel: 'push', status: 'failed', error: 'no answer within 300 ms' },
      { channel: 'push', status: 'sent', error: null },
      { channel: 'sms', status: 'failed', error: 'HTTP 500 from the provider' },
      { channel: 'sms', status: 'sent', error: null },
    ]);
    // The one that never answered was not counted as received; the retry arrived once.
    expect(provider.to(user.phone)).toHaveLength(1);
    expect(provider.to(user.token)).toHaveLength(1);
  });

  it('attempts are capped; a message the provider refuses (4xx) is not retried', async () => {
    const user = await aUser();
    const provider = new CountingProvider();
    provider.answer = async (message) => {
      if ('to' in message) throw new ProviderError('HTTP 503', true);
      throw new ProviderError('HTTP 400 invalid argument', false);
    };
    await notify(user.id);
    await drain(senderOptions(provider, provider, { maxAttempts: 3 }), settled(user.id));
    expect(await deliveriesOf(user.id)).toEqual([
      { channel: 'push', status: 'failed', attempts: 1, last_error: 'HTTP 400 invalid argument' },
      { channel: 'sms', status: 'failed', attempts: 3, last_error: 'HTTP 503' },
    ]);
  });

  it('a token the provider reports unregistered is dropped; the other device still gets the notice', async () => {
    const user = await aUser({ tokens: ['gone-token', 'live-token'] });
    const provider = new CountingProvider();
    provider.answer = async (message) => {
      if ('token' in message && message.token === 'gone-token')
        throw new ProviderError('UNREGISTERED', false, true);
      return { messageId: 'ok' };
    };
    await notify(user.id);
    await drain(senderOptions(provider, provider), settled(user.id));
    const tokens = await sql<{ push_token: string | null }>(
      'select push_token from user_device where user_id = ? order by device_id',
      [user.id],
    );
    expect(tokens).toEqual([{ push_token: null }, { push_token: 'live-token' }]);
    expect((await deliveriesOf(user.id)).find((d) => d.channel === 'push')?.status).toBe('sent');
  });

  it('a call the provider holds does not hold back the records of the calls it answered', async () => {
    const slow = await aUser();
    const quick = await aUser();
    const provider = new CountingProvider();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    provider.answer = async (message) => {
      if (('to' in message ? message.to : message.token) === slow.phone) await held;
      return { messageId: 'ok' };
    };
    await notify(slow.id);
    await notify(quick.id);
    const book = new NoticeBook(0);
    const options = senderOptions(provider, provider);
    await dispatchNotices(em(), book, 10);
    const round = deliverDue(em(), book, options);
    await drainUntil(async () => (await deliveriesOf(quick.id)).every((d) => d.status === 'sent'));
    expect((await deliveriesOf(slow.id)).map((d) => d.status)).toEqual(['sent', 'sending']);
    release();
    await round;
    expect((await deliveriesOf(slow.id)).map((d) => d.status)).toEqual(['sent', 'sent']);
  });

  it('two workers at once send each notice once per channel', async () => {
    const users = await Promise.all(Array.from({ length: 40 }, () => aUser()));
    const provider = new CountingProvider();
    provider.answer = async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      return { messageId: 'ok' };
    };
    await Promise.all(users.flatMap((u) => [notify(u.id), notify(u.id)]));
    const workers = [0, 1].map(
      () => new NotificationSender(em, senderOptions(provider, provider, { limit: 7, pollMs: 10 })),
    );
    for (const w of workers) w.start();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && provider.received.length < 160)
      await new Promise((r) => setTimeout(r, 50));
    for (const w of workers) await w.stop();
    expect(provider.received).toHaveLength(160);
    for (const user of users) {
      expect(provider.to(user.phone)).toHaveLength(2);
      expect(provider.to(user.token)).toHaveLength(2);
    }
  });

  it('a worker stopped mid-send: the restarted one does not send that notice again, and records it', async () => {
    const user = await aUser();
    const hanging = new CountingProvider();
    let handedOver = 0;
    hanging.answer = () => {
      handedOver += 1;
      return new Promise(() => {}); // the process dies while the provider holds the request
    };
    await notify(user.id);
    const book = new NoticeBook(0);
    const dead = senderOptions(hanging, hanging, { sendTimeoutMs: 3_600_000, leaseMs: 300 });
    await dispatchNotices(em(), book, 10);
    void deliverDue(em(), book, dead); // never returns: the worker is gone after handing over
    const deadline = Date.now() + 5_000;
    while (handedOver < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(handedOver).toBe(2);

    // The restarted worker: while the lease runs nothing is taken; after it, the claim is released, not resent.
    const restarted = new CountingProvider();
    const options = senderOptions(restarted, restarted);
    await deliverDue(em(), book, options);
    expect(await deliveriesOf(user.id)).toMatchObject([{ status: 'sending' }, { status: 'sending' }]);
    await new Promise((r) => setTimeout(r, 350));
    expect(await releaseStaleClaims(em())).toBeGreaterThanOrEqual(2);
    await drain(options, settled(user.id));
    expect(restarted.received).toEqual([]);
    expect((await deliveriesOf(user.id)).map((d) => d.status)).toEqual(['unknown', 'unknown']);
    const log = await sql<{ status: string; error: string }>(
      'select status, error from sms_fcm_log where user_id = ?',
      [user.id],
    );
    expect(log).toHaveLength(2);
    expect(log.every((l) => l.status === 'failed' && l.error.includes('stopped while sending'))).toBe(true);
  });

  it('a worker stopped between its dispatch (deliveries claimed with it) and the sends: not sent again, recorded', async () => {
    const user = await aUser();
    await notify(user.id);
    const book = new NoticeBook(0);
    const dead = senderOptions(new CountingProvider(), new CountingProvider(), { leaseMs: 300 });
    const dispatched = await dispatchAndClaim(em(), book, dead);
    // Claimed in the dispatch's own statement: `sending`, attempt 1, under a lease; the worker dies here.
    expect(dispatched.claimed.filter((c) => c.notification_id === dispatched.notices[0]?.id)).toHaveLength(2);
    expect(await deliveriesOf(user.id)).toMatchObject([
      { status: 'sending', attempts: 1 },
      { status: 'sending', attempts: 1 },
    ]);
    const restarted = new CountingProvider();
    const options = senderOptions(restarted, restarted);
    // Neither a second dispatch nor the due pass takes them while the lease runs.
    expect((await dispatchAndClaim(em(), book, options)).claimed).toEqual([]);
    await deliverDue(em(), book, options);
    expect(restarted.received).toEqual([]);
    await new Promise((r) => setTimeout(r, 350));
    expect(await releaseStaleClaims(em())).toBeGreaterThanOrEqual(2);
    await drain(options, settled(user.id));
    expect(restarted.received).toEqual([]);
    expect((await deliveriesOf(user.id)).map((d) => d.status)).toEqual(['unknown', 'unknown']);
    expect(
      await sql<{ status: string }>('select status from sms_fcm_log where user_id = ?', [user.id]),
    ).toEqual([{ status: 'failed' }, { status: 'failed' }]);
  });
});
