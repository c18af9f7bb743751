/**
 * `bench:notify`'s baseline, a process of its own: the least a sender can do with the outbox — claim
 * a batch of undispatched notices (`skip locked`), send each on its rule's channels with the same
 * clients the worker uses (the Twilio SDK and firebase-admin adapters) to the same fakes, record
 * nothing — in LOOPS concurrent loops, as many as the worker has senders.
 */
import { commonEnv, parseConfig } from '@powerbank/config';
import { openOrm, sqlRows } from '@powerbank/db';
import { FcmPush, TwilioSms } from '@powerbank/notify';
import type { FakeProviders } from './fakes-process.ts';
import { serveCalls } from './ipc.ts';

const LOOPS = Number(process.env.BENCH_LOOPS ?? 2);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const fakes = JSON.parse(process.env.BENCH_FAKES ?? '{}') as FakeProviders;

const orm = await openOrm({ ...parseConfig(commonEnv), DB_POOL_MIN: 0, DB_POOL_MAX: LOOPS + 1 });
const sms = new TwilioSms({
  accountSid: fakes.twilio.accountSid,
  authToken: fakes.twilio.authToken,
  from: '+15550001000',
  baseUrl: fakes.twilio.url,
  timeoutMs: 10_000,
});
const push = new FcmPush({ serviceAccount: fakes.fcm.serviceAccount, baseUrl: fakes.fcm.url });

interface Claimed {
  id: string;
  type: string;
  title: string;
  body: string;
  phone: string;
  token: string;
  channels: string[];
}

/** Claims up to BATCH notices and sends them; returns how many it claimed. */
async function sendBatch(): Promise<number> {
  const rows = await sqlRows<Claimed>(
    orm.em.fork(),
    `update notification n set dispatched_at = now() from (
       select n.id, u.phone, d.push_token as token, r.channels
       from notification n
       join users u on u.id = n.user_id
       join user_device d on d.user_id = n.user_id
       join notification_rule r on r.event_code = n.type
       where n.dispatched_at is null order by n.created_at limit $1 for update of n skip locked) c
     where n.id = c.id returning n.id, n.type, n.title, n.body, c.phone, c.token, c.channels`,
    [BATCH],
  );
  await Promise.all(
    rows.flatMap((r) => [
      push.send({ token: r.token, title: r.title, body: r.body, data: { noticeId: r.id, type: r.type } }),
      ...(r.channels.includes('sms') ? [sms.send({ to: r.phone, text: r.body })] : []),
    ]),
  );
  return rows.length;
}

let running = false;
let loops: Promise<void>[] = [];

serveCalls({
  /** Sends what is undispatched now (the warm-up: connections, the OAuth token). */
  once: async () => {
    while ((await sendBatch()) > 0);
  },
  start: () => {
    running = true;
    loops = Array.from({ length: LOOPS }, async () => {
      while (running) {
        if ((await sendBatch()) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
  },
  stop: async () => {
    running = false;
    await Promise.all(loops);
  },
});
process.on('SIGTERM', async () => {
  await push.close();
  await orm.close();
  process.exit(0);
});
