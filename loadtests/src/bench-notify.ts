/**
 * `pnpm bench:notify`: notices per second from committed outbox rows to the providers (push + SMS)
 * through the notification senders (@powerbank/notify: dispatch, deliveries, claims, sms_fcm_log),
 * next to a baseline — the same rows sent by a minimal loop (claim a batch, send, nothing recorded)
 * with the same HTTP clients (the Twilio SDK and firebase-admin adapters) to the same fake Twilio and
 * FCM servers. Then the commit-to-send latency at an offered rate (default 1,000 notices/s). Both
 * run in this process, fakes included, so neither side gets a core the other has not.
 *
 * Knobs: BENCH_NOTICES (6000, the drained backlog), BENCH_RATE (1000/s), BENCH_SECONDS (10),
 * BENCH_SENDERS (2), BENCH_BATCH (100). Last line: one JSON object.
 */
import { commonEnv, parseConfig } from '@powerbank/config';
import { openOrm, sqlRows } from '@powerbank/db';
import { FcmPush, NotificationSender, TwilioSms } from '@powerbank/notify';
import { FakeFcm, FakeTwilio } from '@powerbank/notify/testing';
import { benchStack } from './bench-stack.ts';

const NOTICES = Number(process.env.BENCH_NOTICES ?? 6000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 2);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const USERS = 2000;

const stack = benchStack('bench:notify', 'powerbank_bench_notify', 'bn');
const { log } = stack;
const env = parseConfig(commonEnv);
const twilio = await new FakeTwilio().start();
const fcm = await new FakeFcm().start();
const sms = new TwilioSms({
  accountSid: twilio.accountSid,
  authToken: twilio.authToken,
  from: '+15550001000',
  baseUrl: twilio.url,
  timeoutMs: 10_000,
});
const push = new FcmPush({ serviceAccount: fcm.serviceAccount, baseUrl: fcm.url });

await stack.freshDatabase();
const orm = await openOrm({
  ...env,
  DATABASE_URL: stack.dbUrl,
  DB_POOL_MIN: 0,
  DB_POOL_MAX: SENDERS * 2 + 4,
});
const em = () => orm.em.fork();
await em().execute(
  `insert into users (id, phone, status, referral_code, created_at, updated_at)
   select ('00000000-0000-7000-8000-' || lpad(n::text, 12, '0'))::uuid, '+1777' || lpad(n::text, 7, '0'), 'active',
     'BN' || lpad(n::text, 8, '0'), now(), now() from generate_series(1, ${USERS}) n`,
);
await em().execute(
  `insert into user_device (id, user_id, device_id, platform, push_token, last_seen_at, created_at, updated_at)
   select gen_random_uuid(), id, 'bench', 'android', 'tok-' || id, now(), now(), now() from users`,
);
await em().execute(
  `insert into notification_template (code, channel, locale, title, body, created_at, updated_at)
   values ('bench_notice', 'in_app', 'en', 'Bench', 'Bench notice {{seq}}', now(), now())`,
);
await em().execute(
  `insert into notification_rule (event_code, template_id, channels, offset_minutes, is_active, priority, mandatory, created_at, updated_at)
   select 'bench_notice', id, '["in_app","push","sms"]', 0, true, 0, false, now(), now() from notification_template`,
);

/** Commit time of each notice by its sequence number, and what reached each fake by sequence. */
const committedAt = new Map<number, number>();
let nextSeq = 0;
const seqOfSms = (body: string) => Number(/(\d+)$/.exec(body)?.[1] ?? -1);
const seqOfPush = (body?: string) => Number(/(\d+)$/.exec(body ?? '')?.[1] ?? -1);

/** Inserts `count` notices in one committed transaction, as an event would (the outbox row). */
async function commitNotices(count: number): Promise<void> {
  const seqs = Array.from({ length: count }, () => nextSeq++);
  await sqlRows(
    em(),
    `insert into notification (id, user_id, type, channel, title, body, payload, status, sent_at, created_at, updated_at)
     select gen_random_uuid(), ('00000000-0000-7000-8000-' || lpad((1 + s % ${USERS})::text, 12, '0'))::uuid,
       'bench_notice', 'in_app', 'Bench', 'Bench notice ' || s, jsonb_build_object('seq', s), 'sent', now(), now(), now()
     from unnest($1::int[]) s`,
    [seqs],
  );
  const at = Date.now();
  for (const seq of seqs) committedAt.set(seq, at);
}

function resetFakes(): void {
  twilio.accepted.length = 0;
  fcm.accepted.length = 0;
}

/** Notices with both sends at the fakes, and how many sends were repeats. */
function tally() {
  const sends = new Map<number, { sms: number; push: number; last: number }>();
  const at = (seq: number) => {
    const known = sends.get(seq);
    if (known) return known;
    const fresh = { sms: 0, push: 0, last: 0 };
    sends.set(seq, fresh);
    return fresh;
  };
  for (const a of twilio.accepted) {
    const s = at(seqOfSms(a.message.body));
    s.sms += 1;
    s.last = Math.max(s.last, a.at);
  }
  for (const a of fcm.accepted) {
    const s = at(seqOfPush(a.message.notification?.body));
    s.push += 1;
    s.last = Math.max(s.last, a.at);
  }
  let complete = 0;
  let duplicates = 0;
  for (const s of sends.values()) {
    if (s.sms >= 1 && s.push >= 1) complete += 1;
    duplicates += Math.max(0, s.sms - 1) + Math.max(0, s.push - 1);
  }
  return { sends, complete, duplicates };
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

const senderOptions = {
  sms,
  push,
  limit: BATCH,
  pollMs: 20,
  sendTimeoutMs: 10_000,
  maxAttempts: 6,
  backoff: { baseMs: 1000, maxMs: 60_000 },
};

/** The system: NotificationSenders draining the outbox. */
async function drainWithSenders(expected: number) {
  const senders = Array.from({ length: SENDERS }, () => new NotificationSender(em, senderOptions));
  const started = Date.now();
  for (const s of senders) s.start();
  await waitFor(() => twilio.accepted.length >= expected && fcm.accepted.length >= expected, 120_000);
  const elapsed = Date.now() - started;
  await Promise.all(senders.map((s) => s.stop()));
  return elapsed;
}

/** The baseline: claim a batch of rows, send each to both providers, record nothing. */
async function drainWithMinimalLoop(expected: number) {
  const started = Date.now();
  const loop = async () => {
    while (twilio.accepted.length < expected || fcm.accepted.length < expected) {
      const rows = await sqlRows<{ body: string; title: string; phone: string; token: string; id: string }>(
        em(),
        `update notification n set dispatched_at = now() from (
           select n.id, u.phone, 'tok-' || u.id as token from notification n join users u on u.id = n.user_id
           where n.dispatched_at is null order by n.created_at limit $1 for update of n skip locked) c
         where n.id = c.id returning n.id, n.title, n.body, c.phone, c.token`,
        [BATCH],
      );
      if (rows.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      await Promise.all(
        rows.flatMap((r) => [
          sms.send({ to: r.phone, text: r.body }),
          push.send({ token: r.token, title: r.title, body: r.body, data: { noticeId: r.id } }),
        ]),
      );
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, loop));
  return Date.now() - started;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

// Warm-up: the OAuth token, connections, prepared statements.
await commitNotices(200);
await drainWithSenders(200);
resetFakes();

// 1. Throughput: a committed backlog drained by the senders, then the same rows by the minimal loop.
log(`throughput: ${NOTICES} committed notices, ${SENDERS} senders, batch ${BATCH}`);
for (let i = 0; i < NOTICES; i += 500) await commitNotices(Math.min(500, NOTICES - i));
const systemMs = await drainWithSenders(NOTICES);
const systemTally = tally();
resetFakes();
await em().execute(`update notification set dispatched_at = null`);
const baselineMs = await drainWithMinimalLoop(NOTICES);
resetFakes();
await em().execute(`update notification set dispatched_at = now() where dispatched_at is null`);
const noticesPerS = Math.round((systemTally.complete / systemMs) * 1000);
const baselinePerS = Math.round((NOTICES / baselineMs) * 1000);
log(`senders ${noticesPerS}/s (${systemMs} ms), minimal loop ${baselinePerS}/s (${baselineMs} ms)`);

// 2. Latency at an offered rate: notices committed every 10 ms for SECONDS, commit-to-send per notice.
log(`latency: ${RATE} notices/s offered for ${SECONDS} s`);
const firstSeq = nextSeq;
const senders = Array.from({ length: SENDERS }, () => new NotificationSender(em, senderOptions));
for (const s of senders) s.start();
const perTick = Math.max(1, Math.round(RATE / 100));
const start = Date.now();
let ticks = 0;
while (Date.now() - start < SECONDS * 1000) {
  ticks += 1;
  await commitNotices(perTick);
  const wait = start + ticks * 10 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
const offered = nextSeq - firstSeq;
const offeredPerS = Math.round((offered / (Date.now() - start)) * 1000);
await waitFor(() => twilio.accepted.length >= offered && fcm.accepted.length >= offered, 60_000);
await Promise.all(senders.map((s) => s.stop()));
const latencyTally = tally();
const latencies = [...latencyTally.sends.entries()]
  .filter(([seq, s]) => seq >= firstSeq && s.sms > 0 && s.push > 0)
  .map(([seq, s]) => s.last - (committedAt.get(seq) ?? s.last));
const lost = offered - latencyTally.complete + (NOTICES - systemTally.complete);
const [statuses] = await em()
  .getConnection()
  .execute<{ unsent: number }[]>(
    `select count(*)::int as unsent from notification_delivery where status <> 'sent'`,
  );

const result = {
  notices_per_s: noticesPerS,
  baseline_per_s: baselinePerS,
  ratio: Math.round((noticesPerS / baselinePerS) * 100) / 100,
  offered_per_s: offeredPerS,
  p50_ms: percentile(latencies, 50),
  p99_ms: percentile(latencies, 99),
  max_ms: percentile(latencies, 100),
  duplicates: systemTally.duplicates + latencyTally.duplicates,
  lost,
  deliveries_not_sent: statuses?.unsent ?? 0,
  senders: SENDERS,
  batch: BATCH,
};
await push.close();
await orm.close();
await Promise.all([twilio.close(), fcm.close()]);
console.log(JSON.stringify(result));
process.exit(0);
