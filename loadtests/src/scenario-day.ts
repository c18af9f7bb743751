/**
 * `pnpm scenario:day`: a compressed day of rentals against the running dev
 * stack (`bash infra/up`), printing a progress line and a summary.
 *
 *   pnpm scenario:day [--users 20] [--day 90] [--late-share 0.2] [--late-max 200]
 *                     [--eject-fail-rate 0.1] [--overtake] [--api http://127.0.0.1:3000]
 *
 * The stations: returning a power bank means putting it into a simulated
 * station, which only the process playing that station can do, so the runner
 * stops the dev stack's `station-simulator` (its pid file) and plays the same
 * seeded stations (`.data/sim-stations.json`) itself with the simulator
 * library, with `ejectFailureRate`. At the end it writes where the power banks
 * are now back to that file and restarts the dev simulator on it, as
 * `infra/up` does, so the dev stack keeps matching the database.
 *
 * The users: `--users` fresh users with a session and a wallet, written by SQL
 * (`aCrowd`, as the benchmarks do). Each one, during `--day` seconds, rents at
 * a random station with a rentable power bank (REST `POST /api/rentals/start`,
 * wallet), moves (a few GPS points through `POST /api/rentals/{id}/location`),
 * and returns it at ANOTHER station, then rests and rents again. Nobody starts
 * after the day ends; the runner then waits for every rental out to come back.
 *
 * Late returns: the shortest seeded package is one hour, too long for a
 * minute-long run, so the runner adds a package of its own, `scenario_1min`
 * (1 minute, deactivated again at the end so the app does not offer it). Most
 * users hold 3–40 s (on time); `--late-share` of rentals are held 65 s to
 * `--late-max` s, past the due time. Late fees only start after the
 * `late_fee_grace_minutes` (2 by default), so only holds over 3 minutes carry
 * a fee; the summary shows both counts.
 *
 * `--overtake`: the stations' eject results and slot events each reach the
 * broker after a newer heartbeat (the out-of-order delivery parallel bridge
 * connections can cause); the summary must come out the same.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { commonEnv, parseConfig } from '@powerbank/config';
import { createSimulator, type StationSeed } from '@powerbank/station-simulator';
import pg from 'pg';
import { aCrowd } from '../../services/api/src/testing/crowd.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '20' },
    day: { type: 'string', default: '90' },
    'late-share': { type: 'string', default: '0.2' },
    'late-max': { type: 'string', default: '200' },
    'eject-fail-rate': { type: 'string', default: '0.1' },
    overtake: { type: 'boolean', default: false },
    api: { type: 'string', default: `http://127.0.0.1:${process.env.API_PORT ?? 3000}` },
    'stations-file': { type: 'string', default: `${root}.data/sim-stations.json` },
    'keep-dev-simulator-stopped': { type: 'boolean', default: false },
  },
});
const userCount = Number(args.users);
const dayS = Number(args.day);
const lateShare = Number(args['late-share']);
const lateMaxS = Math.max(66, Number(args['late-max']));
const ejectFailureRate = Number(args['eject-fail-rate']);
const api = args.api;
const stationsFile = args['stations-file'];
const WALLET = 100_000;
const MIN_BATTERY = 20;

const env = parseConfig(commonEnv);
const log = (line: string) => console.log(`[scenario:day] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (min: number, max: number) => min + Math.random() * (max - min);
const pick = <T>(items: T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

// ---- the stations: stop the dev simulator, play its stations here --------------------------------
if (!existsSync(stationsFile)) throw new Error(`${stationsFile} is missing: run bash infra/up first`);
const pidFile = `${root}.data/pids/app-station-simulator.pid`;
if (existsSync(pidFile)) {
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50; i++) {
      process.kill(pid, 0);
      await sleep(100);
    }
  } catch {
    // gone
  }
  log(`stopped the dev station-simulator (pid ${pid})`);
}
const seeds = JSON.parse(readFileSync(stationsFile, 'utf8')) as StationSeed[];
const simulator = createSimulator({
  mqttUrl: env.MQTT_URL,
  topicRoot: env.MQTT_TOPIC_ROOT,
  stations: seeds,
  overtake: args.overtake,
  ejectFailureRate,
  ejectDelayMs: 300,
  heartbeatIntervalMs: 10_000,
});
await simulator.start();
const sns = seeds.map((s) => s.sn);

const db = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
for (let deadline = Date.now() + 30_000; ; ) {
  const { rows } = await db.query<{ n: string }>(
    `select count(*) as n from station where status = 'online' and serial_number = any($1)`,
    [sns],
  );
  if (Number(rows[0]?.n) === sns.length) break;
  if (Date.now() > deadline) throw new Error(`only ${rows[0]?.n}/${sns.length} stations came online`);
  await sleep(250);
}
log(`${sns.length} stations online, played by this process (eject failure rate ${ejectFailureRate})`);

// ---- a 1-minute package and the users -------------------------------------------------------------
const pkg = (
  await db.query<{ id: number; price: string }>(
    `insert into rental_package (code, name, description, payment_model, duration_minutes, price, per_minute_rate, currency, is_active, sort_order, created_at, updated_at)
     values ('scenario_1min', 'Scenario 1 minute', 'pnpm scenario:day only; inactive outside a run', 'prepaid', 1, 100, 4, 'USD', true, 99, now(), now())
     on conflict (code) do update set is_active = true, updated_at = now() returning id, price`,
  )
).rows[0]!;
const crowd = aCrowd(userCount, { wallet: WALLET });
{
  const client = await db.connect();
  try {
    await client.query('begin');
    for (const statement of crowd.statements) await client.query(statement);
    await client.query('commit');
  } finally {
    client.release();
  }
}
const userIds = crowd.users.map((u) => u.userId);
log(`${userCount} users with ${WALLET / 100} USD each; package scenario_1min (id ${pkg.id}, 1 minute)`);

// ---- the day --------------------------------------------------------------------------------------
const counts = { starts: 0, active: 0, holding: 0, returned: 0, ejectFailed: 0, lateHolds: 0 };
const errors = new Map<string, number>();
const countError = (code: string) => errors.set(code, (errors.get(code) ?? 0) + 1);
const reserved = new Set<string>(); // "sn:slot" promised to a returning user
const dayEnds = Date.now() + dayS * 1000;
const t0 = Date.now();

function rentableStations(): string[] {
  return sns.filter((sn) => {
    const view = simulator.station(sn);
    return view.connected && view.slots.some((s) => s.powerBank && s.powerBank.battery >= MIN_BATTERY);
  });
}
function freeSlot(except: string): { sn: string; slot: number } | undefined {
  const candidates = sns.flatMap((sn) => {
    if (sn === except || !simulator.station(sn).connected) return [];
    return simulator
      .station(sn)
      .slots.filter((s) => !s.powerBank && !reserved.has(`${sn}:${s.slot}`))
      .map((s) => ({ sn, slot: s.slot }));
  });
  return pick(candidates);
}

/** A REST call; a network failure (api down) comes back as status 0, code `network`, not a throw. */
async function call(token: string, method: string, path: string, body?: unknown) {
  try {
    const res = await fetch(`${api}/api${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as any;
    return { status: res.status, json };
  } catch {
    return { status: 0, json: { error: { code: 'network' } } as any };
  }
}

async function waitClosed(rentalId: string): Promise<string> {
  for (let deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const { rows } = await db.query<{ status: string }>('select status from rental where id = $1', [
      rentalId,
    ]);
    const status = rows[0]?.status ?? 'missing';
    if (!['active', 'overdue', 'pending', 'dispensing'].includes(status)) return status;
    await sleep(200);
  }
  return 'still open';
}

async function user(u: { userId: string; token: string }, n: number) {
  await sleep(rand(0, Math.min(10, dayS / 4)) * 1000);
  let rental = 0;
  while (Date.now() < dayEnds) {
    const from = pick(rentableStations());
    if (!from) {
      countError('no_rentable_station');
      await sleep(2000);
      continue;
    }
    counts.starts += 1;
    const start = await call(u.token, 'POST', '/rentals/start', {
      station_sn: from,
      package_id: pkg.id,
      payment_mode: 'wallet',
      idempotency_key: `scenario-${u.userId}-${rental++}`,
    });
    const data = start.json.data;
    if (start.status !== 200 || !data) {
      countError(`${start.status} ${start.json.error?.code ?? 'unknown'}`);
      // 429: too many starts in a minute (rental_starts_per_minute) or the write rate limit.
      await sleep(start.status === 429 ? 20_000 : 3000);
      continue;
    }
    if (data.status !== 'active') {
      // The api answered after the eject result: failed means refunded.
      if (data.status === 'failed') counts.ejectFailed += 1;
      else countError(`start ${data.status}`);
      await sleep(rand(2, 6) * 1000);
      continue;
    }
    counts.active += 1;
    counts.holding += 1;
    const late = Math.random() < lateShare;
    if (late) counts.lateHolds += 1;
    const holdMs = (late ? rand(65, lateMaxS) : rand(3, 40)) * 1000;
    const until = Date.now() + holdMs;
    // Move: a few GPS points on the way (a walk north-east from somewhere).
    let lat = 40 + n * 0.01;
    let lon = -3 - n * 0.01;
    while (Date.now() < until) {
      await sleep(Math.min(until - Date.now(), 10_000));
      lat += 0.001;
      lon += 0.001;
      const moved = await call(u.token, 'POST', `/rentals/${data.id}/location`, {
        points: [{ latitude: lat, longitude: lon, accuracy_m: 10, recorded_at: new Date().toISOString() }],
      });
      if (moved.status !== 200) countError(`location ${moved.status} ${moved.json.error?.code ?? ''}`.trim());
    }
    let to = freeSlot(from);
    while (!to) {
      await sleep(1000);
      to = freeSlot(from);
    }
    reserved.add(`${to.sn}:${to.slot}`);
    try {
      await simulator.insert(to.sn, to.slot, data.power_bank_serial, Math.round(rand(20, 80)));
    } finally {
      reserved.delete(`${to.sn}:${to.slot}`);
    }
    const closed = await waitClosed(data.id);
    counts.holding -= 1;
    counts.returned += 1;
    if (closed !== 'settled') countError(`return → ${closed}`);
    if (Date.now() < dayEnds) await sleep(rand(8, 20) * 1000); // rest: at most 3 starts a minute per user
  }
}

const progress = setInterval(() => {
  const s = Math.round((Date.now() - t0) / 1000);
  const phase = Date.now() < dayEnds ? 'day' : 'returns';
  const errs = [...errors.values()].reduce((a, b) => a + b, 0);
  log(
    `${s}s ${phase}: starts ${counts.starts}, active ${counts.active}, out now ${counts.holding}, returned ${counts.returned}, eject failed ${counts.ejectFailed}, errors ${errs}`,
  );
}, 5000);
await Promise.all(crowd.users.map((u, i) => user(u, i)));
clearInterval(progress);

// ---- summary, from the database --------------------------------------------------------------------
const byStatus = (
  await db.query<{ status: string; n: string }>(
    'select status, count(*) as n from rental where user_id = any($1) group by status order by status',
    [userIds],
  )
).rows;
const sums = (
  await db.query<Record<string, string>>(
    `select count(*) filter (where returned_at > due_at) as late,
            count(*) filter (where late_fee_amount > 0) as late_fee_n,
            coalesce(sum(late_fee_amount), 0) as late_fee,
            coalesce(sum(overage_amount), 0) as overage,
            coalesce(sum(prepaid_amount + overage_amount + late_fee_amount) filter (where status <> 'failed'), 0) as billed,
            coalesce(sum(points_paid), 0) as points_paid,
            coalesce(sum(due_amount), 0) as due,
            count(*) filter (where due_amount > 0) as due_n,
            count(*) filter (where return_station_id is not null and return_station_id <> start_station_id) as elsewhere,
            coalesce(max(extract(epoch from returned_at - started_at)) / 60, 0)::numeric(6,1) as longest_min
       from rental where user_id = any($1)`,
    [userIds],
  )
).rows[0]!;
const wallets = (
  await db.query<{ balance: string }>(
    'select coalesce(sum(balance), 0) as balance from wallet where user_id = any($1)',
    [userIds],
  )
).rows[0]!;
const refunds = (
  await db.query<{ n: string; amount: string }>(
    `select count(*) as n, coalesce(sum(amount), 0) as amount from wallet_transaction
      where user_id = any($1) and type = 'refund'`,
    [userIds],
  )
).rows[0]!;
const charged = WALLET * userCount - Number(wallets.balance);
const status = Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)]));
const usd = (minor: number | string) => `${(Number(minor) / 100).toFixed(2)} USD`;
console.log(
  [
    '',
    `scenario:day — ${userCount} users, ${dayS} s day (+ returns: ${Math.round((Date.now() - t0) / 1000)} s in all), ${sns.length} stations, eject failure rate ${ejectFailureRate}`,
    `rentals started        ${counts.active + counts.ejectFailed} (${counts.ejectFailed} failed at the eject; start calls ${counts.starts})`,
    `by status now          ${JSON.stringify(status)}`,
    `active now             ${(status.active ?? 0) + (status.overdue ?? 0)}`,
    `settled                ${status.settled ?? 0} (returned at another station: ${sums.elsewhere})`,
    `failed (refunded)      ${status.failed ?? 0}; refunds ${refunds.n} for ${usd(refunds.amount)}`,
    `eject failures         ${counts.ejectFailed} (answered failed by the api)`,
    `late returns           ${sums.late} past the 1-minute due time (held ${counts.lateHolds} on purpose; longest ${sums.longest_min} min); with a late fee (past the grace) ${sums.late_fee_n}: ${usd(sums.late_fee!)}`,
    `due (owed)             ${sums.due_n} rentals, ${usd(sums.due!)}`,
    `money charged          ${usd(sums.billed!)} billed by rentals (package ${usd(pkg.price)} each, overage ${usd(sums.overage!)}, late fees ${usd(sums.late_fee!)}); ${usd(charged)} net from the wallets, ${sums.points_paid} points paid on rentals`,
    `errors by code         ${errors.size ? JSON.stringify(Object.fromEntries(errors)) : 'none'}`,
    '',
  ].join('\n'),
);

// ---- leave the dev stack as it was -------------------------------------------------------------------
await db.query(`update rental_package set is_active = false, updated_at = now() where id = $1`, [pkg.id]);
const now: StationSeed[] = seeds.map(({ sn, password }) => {
  const view = simulator.station(sn);
  return {
    sn,
    // The station's broker password, when the dev stack's broker requires accounts.
    ...(password ? { password } : {}),
    slotCount: view.slots.length,
    powerBanks: view.slots.flatMap((s) =>
      s.powerBank
        ? [{ slot: s.slot, serial: s.powerBank.serial, battery: Math.floor(s.powerBank.battery) }]
        : [],
    ),
  };
});
await simulator.stop();
await db.end();
writeFileSync(stationsFile, `${JSON.stringify(now, null, 1)}\n`);
if (!args['keep-dev-simulator-stopped'] && existsSync(pidFile)) {
  const out = openSync(`${root}.data/logs/station-simulator.log`, 'a');
  const child = spawn(
    `${root}node_modules/.bin/tsx`,
    ['services/station-simulator/src/cli.ts', '--stations-file', stationsFile, '--progress-ms', '60000'],
    { cwd: root, detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  writeFileSync(pidFile, `${child.pid}\n`);
  log(`restarted the dev station-simulator (pid ${child.pid}) on the stations as they are now`);
}
process.exit(0);
