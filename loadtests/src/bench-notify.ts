/**
 * `pnpm bench:notify`: notices per second from committed outbox rows to the providers (push + SMS,
 * the rules' mix) through the real worker process (`services/worker`: its notification senders —
 * dispatch with template rendering, deliveries, claims and leases, one `sms_fcm_log` row per send),
 * next to a baseline — the same rows sent by a minimal loop (claim a batch, send, record nothing)
 * with the same clients (the Twilio SDK and firebase-admin adapters); then the commit-to-send
 * latency at an offered rate (default 1,000 notices/s).
 *
 * Every part is a process of its own: the fake Twilio and FCM servers, the producer committing the
 * notices, the worker(s), the baseline loop; this one only seeds, starts, and measures (commit
 * time as the producer saw it, receipt time as the fake server saw it, CPU from /proc).
 *
 * Throughput alternates: BENCH_PASSES (3) parts of the backlog, each drained by the worker and
 * then, undispatched again, by the minimal loop — a loaded machine's slow moments fall on both.
 *
 * Knobs: BENCH_NOTICES (6000, the drained backlog), BENCH_PASSES (3), BENCH_RATE (1000/s),
 * BENCH_SECONDS (10), BENCH_WORKERS (1 worker process; its senders: NOTIFY_SENDERS, default 2,
 * batch NOTIFY_BATCH_SIZE, default 100 — the baseline runs as many loops with the same batch),
 * BENCH_SMS_EVERY (4: one notice in four is texted too), BENCH_DEBUG (1: log every 250th notice's
 * commit and send times at the offered rate). About a minute and a half on an idle machine. Last
 * line: one JSON object.
 */
import type { ChildProcess } from 'node:child_process';
import { openOrm } from '@powerbank/db';
import { stopService } from '@powerbank/testing';
import { benchStack, freePort, percentile } from './bench-stack.ts';
import type { FakeProviders } from './notify/fakes-process.ts';
import { type Child, forkChild } from './notify/ipc.ts';
import { type Receipts, RULES, TEMPLATE_BODY, textsOf, USERS } from './notify/mix.ts';
import type { Commit } from './notify/producer-process.ts';
import { cpuWindow } from './process-cpu.ts';

const NOTICES = Number(process.env.BENCH_NOTICES ?? 6000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const SENDERS = Number(process.env.NOTIFY_SENDERS ?? 2);
const BATCH = Number(process.env.NOTIFY_BATCH_SIZE ?? 100);
const PASSES = Number(process.env.BENCH_PASSES ?? 3);
const WARM_UP = 200;

const stack = benchStack('bench:notify', 'powerbank_bench_notify', 'bn');
const { log } = stack;
await stack.freshDatabase();
const dbEnv = { DATABASE_URL: stack.dbUrl, LOG_LEVEL: 'warn' };
const orm = await openOrm({ ...stack.env, DATABASE_URL: stack.dbUrl, DB_POOL_MIN: 0, DB_POOL_MAX: 2 });
const sql = <R>(text: string, values: unknown[] = []) =>
  orm.em.fork().getConnection().execute<R[]>(text, values);

await sql(
  `insert into users (id, phone, status, referral_code, created_at, updated_at)
   select ('00000000-0000-7000-8000-' || lpad(n::text, 12, '0'))::uuid, '+1777' || lpad(n::text, 7, '0'), 'active',
     'BN' || lpad(n::text, 8, '0'), now(), now() from generate_series(1, ${USERS}) n`,
);
await sql(
  `insert into user_device (id, user_id, device_id, platform, push_token, last_seen_at, created_at, updated_at)
   select gen_random_uuid(), id, 'bench', 'android', 'tok-' || id, now(), now(), now() from users`,
);
for (const [code, channels] of Object.entries(RULES)) {
  await sql(
    `with t as (insert into notification_template (code, channel, locale, title, body, created_at, updated_at)
       values (?, 'in_app', 'en', 'Bench', ?, now(), now()) returning id)
     insert into notification_rule (event_code, template_id, channels, offset_minutes, is_active, priority, mandatory, created_at, updated_at)
     select ?, id, ?::jsonb, 0, true, 0, ?, now(), now() from t`,
    [code, TEMPLATE_BODY, code, JSON.stringify(channels), (channels as readonly string[]).includes('sms')],
  );
}

const fakes = forkChild('./fakes-process.ts');
const providers = await fakes.call<FakeProviders>('providers');
const producer = forkChild('./producer-process.ts', dbEnv);

/** Every receipt so far by notice: the times FCM and Twilio accepted it. */
const arrived = new Map<number, { push: number[]; sms: number[] }>();
async function collect(): Promise<void> {
  const taken = await fakes.call<{ sms: Receipts; push: Receipts }>('take');
  for (const [channel, receipts] of [
    ['push', taken.push],
    ['sms', taken.sms],
  ] as const) {
    for (const [seq, at] of receipts) {
      const known = arrived.get(seq) ?? { push: [], sms: [] };
      known[channel].push(at);
      arrived.set(seq, known);
    }
  }
}

/** Sends a range of notices needs: one push each, one text for the critical ones. */
function expectedSends(from: number, count: number) {
  let sms = 0;
  for (let seq = from; seq < from + count; seq++) sms += textsOf(seq);
  return { push: count, sms };
}

let sentSoFar = { push: 0, sms: 0 };
/** Waits until the fakes have accepted `expected` more sends (or the timeout), then collects them. */
async function awaitSends(expected: { push: number; sms: number }, timeoutMs = 120_000): Promise<void> {
  const target = { push: sentSoFar.push + expected.push, sms: sentSoFar.sms + expected.sms };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await fakes.call<{ push: number; sms: number }>('counts');
    if ((counts.push >= target.push && counts.sms >= target.sms) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  // A moment more: a repeat sent right after the last expected send is counted too.
  await new Promise((resolve) => setTimeout(resolve, 500));
  sentSoFar = await fakes.call('counts');
  await collect();
}

/** A range's outcome: notices complete, lost, repeated sends, and when each was complete. */
function tally(from: number, count: number) {
  let lost = 0;
  let duplicates = 0;
  const completeAt = new Map<number, number>();
  for (let seq = from; seq < from + count; seq++) {
    const got = arrived.get(seq) ?? { push: [], sms: [] };
    const texts = textsOf(seq);
    duplicates += Math.max(0, got.push.length - 1) + Math.max(0, got.sms.length - texts);
    if (got.push.length === 0 || got.sms.length < texts) lost += 1;
    else completeAt.set(seq, Math.max(...got.push, ...got.sms));
  }
  return { lost, duplicates, completeAt, last: Math.max(0, ...completeAt.values()) };
}

const pgBackends = async () =>
  (await sql<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database()`)).map(
    (r) => r.pid,
  );

/** CPU milliseconds of each process group over a window (Postgres: the database's backends). */
function cpuMeter(groups: Record<string, () => number[]>) {
  let backends: number[] = [];
  const window = cpuWindow({ ...groups, postgres: () => backends });
  return {
    async start() {
      backends = await pgBackends();
      window.start();
    },
    async stop(): Promise<Record<string, number>> {
      backends = [...new Set([...backends, ...(await pgBackends())])];
      return Object.fromEntries(Object.entries(window.stop()).map(([group, s]) => [group, s * 1000]));
    },
  };
}
const addTo = (total: Record<string, number>, part: Record<string, number>) => {
  for (const [group, ms] of Object.entries(part)) total[group] = (total[group] ?? 0) + ms;
};
const perNotice = (total: Record<string, number>, notices: number) =>
  Object.fromEntries(
    Object.entries(total).map(([group, ms]) => [group, Math.round((ms / Math.max(1, notices)) * 100) / 100]),
  );
const pidsOf = (children: (ChildProcess | Child)[]) => () =>
  children.map((c) => ('process' in c ? c.process.pid : c.pid) ?? 0);

let nextSeq = 0;
const commitBacklog = async (count: number) => {
  const from = nextSeq;
  nextSeq += count;
  return producer.call<Commit>('commit', { from, count });
};

/** The worker process(es), as infra/up runs them, with the fakes as providers; warmed up (OAuth token, connections). */
const workers: ChildProcess[] = [];
async function startWorkers(): Promise<void> {
  for (let i = 0; i < WORKERS; i++) {
    const port = await freePort();
    workers.push(
      stack.startService(`worker-${i}`, 'services/worker/src/main.ts', {
        ...dbEnv,
        WORKER_METRICS_PORT: String(port),
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: providers.twilio.accountSid,
        TWILIO_AUTH_TOKEN: providers.twilio.authToken,
        TWILIO_FROM: '+15550001000',
        TWILIO_API_BASE_URL: providers.twilio.url,
        PUSH_PROVIDER: 'fcm',
        FCM_SERVICE_ACCOUNT: JSON.stringify(providers.fcm.serviceAccount),
        FCM_API_BASE_URL: providers.fcm.url,
      }),
    );
    await stack.waitFor(`http://127.0.0.1:${port}/health`);
  }
  const from = nextSeq;
  await commitBacklog(WARM_UP);
  await awaitSends(expectedSends(from, WARM_UP));
  arrived.clear();
}
async function stopWorkers(): Promise<void> {
  await Promise.all(workers.map((w) => stopService(w)));
  workers.length = 0;
}

// The baseline loop, warmed up on rows of its own (the worker is not running yet).
const baseline = forkChild('./baseline-process.ts', {
  ...dbEnv,
  BENCH_LOOPS: String(SENDERS * WORKERS),
  BENCH_BATCH: String(BATCH),
  BENCH_FAKES: JSON.stringify(providers),
});
{
  const from = nextSeq;
  await commitBacklog(WARM_UP);
  await baseline.call('once');
  await awaitSends(expectedSends(from, WARM_UP));
  arrived.clear();
}
log(
  `${WORKERS} worker(s) × ${SENDERS} senders, batch ${BATCH}; fakes, producer, baseline: processes of their own`,
);

// 1. Throughput, in PASSES alternating parts (a loaded machine's slow moments fall on both sides):
// a backlog committed in one transaction and drained by the worker; then the worker stopped and
// the same rows, undispatched again, sent by the minimal loop.
const drained = { worker: { notices: 0, ms: 0 }, baseline: { notices: 0, ms: 0 } };
const workerCpu: Record<string, number> = {};
const baselineCpu: Record<string, number> = {};
let duplicates = 0;
let lost = 0;
const perPass = Math.ceil(NOTICES / PASSES);
for (let pass = 0; pass < PASSES; pass++) {
  await startWorkers();
  const from = nextSeq;
  const cpu = cpuMeter({ worker: pidsOf(workers), fakes: pidsOf([fakes]) });
  await cpu.start();
  const [, , committed] = await commitBacklog(perPass);
  await awaitSends(expectedSends(from, perPass));
  addTo(workerCpu, await cpu.stop());
  const byWorker = tally(from, perPass);
  arrived.clear();
  duplicates += byWorker.duplicates;
  lost += byWorker.lost;
  drained.worker.notices += perPass - byWorker.lost;
  drained.worker.ms += byWorker.last - committed;
  await stopWorkers();

  await sql(`update notification set dispatched_at = null where (payload->>'seq')::int between ? and ?`, [
    from,
    from + perPass - 1,
  ]);
  const loopCpu = cpuMeter({ loop: pidsOf([baseline]), fakes: pidsOf([fakes]) });
  await loopCpu.start();
  const started = Date.now();
  await baseline.call('start');
  await awaitSends(expectedSends(from, perPass));
  await baseline.call('stop');
  addTo(baselineCpu, await loopCpu.stop());
  const byLoop = tally(from, perPass);
  arrived.clear();
  drained.baseline.notices += perPass - byLoop.lost;
  drained.baseline.ms += byLoop.last - started;
  log(
    `pass ${pass + 1}/${PASSES}: worker ${Math.round(((perPass - byWorker.lost) / (byWorker.last - committed)) * 1000)}/s, ` +
      `minimal loop ${Math.round(((perPass - byLoop.lost) / (byLoop.last - started)) * 1000)}/s`,
  );
}
const noticesPerS = Math.round((drained.worker.notices / drained.worker.ms) * 1000);
const baselinePerS = Math.round((drained.baseline.notices / drained.baseline.ms) * 1000);

// 2. Latency at the offered rate: commit (producer) → last send received (fake), per notice.
await startWorkers();
log(`latency: ${RATE} notices/s offered for ${SECONDS} s`);
const offerFrom = nextSeq;
const offerCpu = cpuMeter({ worker: pidsOf(workers), fakes: pidsOf([fakes]), producer: pidsOf([producer]) });
await offerCpu.start();
const offered = await producer.call<{ commits: Commit[]; elapsedMs: number }>('offer', {
  from: offerFrom,
  rate: RATE,
  seconds: SECONDS,
});
const offeredCount = offered.commits.reduce((sum, [, count]) => sum + count, 0);
nextSeq += offeredCount;
await awaitSends(expectedSends(offerFrom, offeredCount), 60_000);
const offerCpuMs = await offerCpu.stop();
const atRate = tally(offerFrom, offeredCount);
duplicates += atRate.duplicates;
lost += atRate.lost;
const committedAt = new Map<number, number>();
for (const [from, count, at] of offered.commits)
  for (let s = from; s < from + count; s++) committedAt.set(s, at);
const latencies = [...atRate.completeAt.entries()]
  .map(([seq, at]) => at - (committedAt.get(seq) ?? at))
  .sort((a, b) => a - b);
if (process.env.BENCH_DEBUG) {
  const offerStart = offered.commits[0]?.[2] ?? 0;
  for (const [seq, at] of atRate.completeAt) {
    const committed = committedAt.get(seq) ?? at;
    if (seq % 250 === 0)
      log(`notice ${seq}: committed at +${committed - offerStart} ms, sent after ${at - committed} ms`);
  }
}
const [notSent] = await sql<{ n: number }>(
  `select count(*)::int as n from notification_delivery where status <> 'sent'`,
);
await stopWorkers();

const result = {
  notices_per_s: noticesPerS,
  baseline_per_s: baselinePerS,
  ratio: Math.round((noticesPerS / baselinePerS) * 100) / 100,
  offered_per_s: Math.round((offeredCount / offered.elapsedMs) * 1000),
  p50_ms: percentile(latencies, 50),
  p99_ms: percentile(latencies, 99),
  max_ms: percentile(latencies, 100),
  duplicates,
  lost,
  deliveries_not_sent: notSent?.n ?? 0,
  sends_per_notice:
    Math.round(((expectedSends(0, 1000).push + expectedSends(0, 1000).sms) / 1000) * 100) / 100,
  cpu_ms_per_notice: {
    drain: perNotice(workerCpu, drained.worker.notices),
    at_rate: perNotice(offerCpuMs, offeredCount),
    baseline: perNotice(baselineCpu, drained.baseline.notices),
  },
  passes: PASSES,
  workers: WORKERS,
  senders: SENDERS,
  batch: BATCH,
};
await Promise.all([baseline.stop(), producer.stop(), fakes.stop()]);
await orm.close();
console.log(JSON.stringify(result));
process.exit(0);
