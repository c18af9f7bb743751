/**
 * `pnpm bench:rentals`: complete rentals per second through every real part —
 * REST `POST /api/rentals/start` on an api process, the eject acknowledged by
 * simulated stations over Mosquitto → mqtt-bridge → JetStream → station-core,
 * then the power bank put back at another station and the rental settled by
 * station-core's rental runner (announced on `rental.evt.settled`) — with
 * p50/p99 start latency and each process's CPU per rental. Next to it, in the
 * same run, the SQL statements that path issues (as Postgres logged them for
 * one rental; rental-raw-script.ts) run raw by pgbench — in its default simple
 * protocol (the ratio) and prepared (`ratio_to_prepared`) — with the raw side's
 * CPU per rental. Prints a table, then ONE JSON line.
 *
 *   pnpm bench:rentals [--workers 6] [--duration 20] [--warmup 3]
 *
 * Six workers by default: on two cores the chain is then within ~15% of its peak
 * throughput (eight workers) while a start still answers as the issue asks
 * (p99 < 100 ms); more workers only queue in run queues. docs/benchmarks.md has
 * the figures at 1–8 workers. Each worker owns two stations and moves power banks between them, one
 * rental at a time (start → active → return at the other station → settled).
 * Every start is a different user (the 3-starts-a-minute rule never applies).
 * Uses a database of its own, `pb_bench_rentals`, and a NATS prefix of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectNats } from '@powerbank/messaging';
import { subjects } from '@powerbank/protocol';
import { createSimulator } from '@powerbank/station-simulator';
import pg from 'pg';
import { aCrowd } from '../../services/api/src/testing/crowd.ts';
import { benchStack, freePort, percentile } from './bench-stack.ts';
import { startPgbench } from './pgbench.ts';
import { cpuWindow, pidsNamed } from './process-cpu.ts';
import { rentalRawScript } from './rental-raw-script.ts';

const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: '6' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
  },
});
const workers = Number(args.workers);
const durationS = Number(args.duration);
const warmupS = Number(args.warmup);
const SLOTS = 8;
const BANKS = 4;
const PRICE = 800;

const stack = benchStack('bench:rentals', 'pb_bench_rentals', 'benchr');
const { env, dbUrl, prefix, log, startService, waitFor } = stack;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- set up: a fresh database; bridge, station-core and api as processes -----------------------
await stack.freshDatabase();
await stack.brokerAccounts();
const db = new pg.Pool({ connectionString: dbUrl, max: workers + 2 });
const [pkgRow] = (
  await db.query<{ id: number }>(
    `insert into rental_package (code, name, duration_minutes, price, per_minute_rate, currency, created_at, updated_at)
     values ('bench-hour', 'Bench hour', 60, ${PRICE}, 10, 'USD', now(), now()) returning id`,
  )
).rows;
const packageId = pkgRow!.id;

async function runStatements(statements: string[]) {
  const client = await db.connect();
  try {
    await client.query('begin');
    for (const statement of statements) await client.query(statement);
    await client.query('commit');
  } finally {
    client.release();
  }
}
// Enough users that none starts twice in the run (each start is a fresh user).
const userCount = Math.max(2000, workers * (durationS + warmupS) * 60);
const crowd = aCrowd(userCount, { wallet: 100_000 });
await runStatements(crowd.statements);
log(`${userCount} users`);

const bridgePort = await freePort();
const corePort = await freePort();
const apiPort = await freePort();
const bridgeProcess = startService('mqtt-bridge', 'services/mqtt-bridge/src/main.ts', {
  BRIDGE_SHARE_GROUP: prefix,
  MQTT_CLIENT_ID: `${prefix}-bridge`,
  BRIDGE_METRICS_PORT: String(bridgePort),
  DB_POOL_MIN: '0',
  DB_POOL_MAX: '4',
});
const coreProcess = startService('station-core', 'services/station-core/src/main.ts', {
  CORE_METRICS_PORT: String(corePort),
  HEARTBEAT_INTERVAL_S: '600',
  DB_POOL_MIN: '2',
  DB_POOL_MAX: '10',
});
const apiProcess = startService('api', 'services/api/src/main.ts', {
  // Production settings are measured, as bench:api does (without NODE_ENV the api runs as in
  // development: every answer checked against its output schema, error stacks kept); production
  // refuses the development default of the secret.
  NODE_ENV: 'production',
  APP_SECRET: randomBytes(32).toString('hex'),
  API_PORT: String(apiPort),
  API_HOST: '127.0.0.1',
  RATE_LIMIT_WRITE_MAX: '10000000',
  RATE_LIMIT_AUTH_MAX: '10000000',
  RATE_LIMIT_READ_MAX: '10000000',
  RENTAL_DISPENSE_TIMEOUT_MS: '20000',
  DB_POOL_MIN: '2',
  DB_POOL_MAX: '20',
});
await waitFor(`http://127.0.0.1:${bridgePort}/metrics`);
await waitFor(`http://127.0.0.1:${corePort}/health`);
const api = `http://127.0.0.1:${apiPort}`;
await waitFor(`${api}/api/app/countries`);
log('bridge, station-core and api are up');

// ---- stations: two per worker -----------------------------------------------------------------
const tag = prefix.slice(-6);
const stations = Array.from({ length: workers * 2 }, (_, i) => {
  const sn = `RB${tag}${String(i).padStart(3, '0')}`;
  return {
    sn,
    slotCount: SLOTS,
    powerBanks: Array.from({ length: BANKS }, (_, s) => ({
      slot: s + 1,
      serial: `${sn}-PB${s + 1}`,
      battery: 90,
    })),
  };
});
await stack.provisionStations(stations);
const simulator = createSimulator({
  mqttUrl: env.MQTT_URL,
  topicRoot: prefix,
  stations,
  heartbeatIntervalMs: 10_000,
  ejectDelayMs: 20,
});
await simulator.start();
const deadline = Date.now() + 60_000;
for (;;) {
  const { rows } = await db.query<{ n: string }>(
    `select count(*) as n from station_slot ss join station s on s.id = ss.station_id
      where s.status = 'online' and ss.status = 'ready' and s.serial_number like 'RB${tag}%'`,
  );
  if (Number(rows[0]?.n) === stations.length * BANKS) break;
  if (Date.now() > deadline) throw new Error('stations did not come online');
  await sleep(200);
}
log(`${stations.length} stations online`);

// ---- the service path ---------------------------------------------------------------------------
let nextUser = 0;
let measuring = false;
let stopping = false;
let completed = 0;
let failed = 0;
const startLatencies: number[] = [];
const cycleLatencies: number[] = [];
const errors = new Map<string, number>();

// Settlements arrive as station-core's `rental.evt.settled` events (published once committed), so
// waiting for them costs the database nothing. A settlement can be published before its worker
// starts waiting (the return is fast); those are kept until asked for.
const awaitingSettlement = new Map<string, () => void>();
const settledEarly = new Set<string>();
const events = await connectNats(env.NATS_URL, 'bench-rentals-events');
events.subscribe(subjects(prefix).rentalEvent('settled'), {
  callback: (_err, msg) => {
    const { rentalId } = msg.json<{ rentalId: string }>();
    const waiting = awaitingSettlement.get(rentalId);
    if (waiting) {
      awaitingSettlement.delete(rentalId);
      waiting();
    } else settledEarly.add(rentalId);
  },
});
await events.flush();
/** Resolves true once the rental is settled, false if it is not within `SETTLE_TIMEOUT_MS`. */
const SETTLE_TIMEOUT_MS = 30_000;
const settled = (rentalId: string) =>
  new Promise<boolean>((resolve) => {
    if (settledEarly.delete(rentalId)) return resolve(true);
    const timer = setTimeout(() => {
      awaitingSettlement.delete(rentalId);
      resolve(false);
    }, SETTLE_TIMEOUT_MS);
    awaitingSettlement.set(rentalId, () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

// Node's http client on kept-alive connections, one per worker: lighter than fetch (WHATWG
// streams, headers objects), so the runner takes less of the two cores the chain runs on.
const agent = new http.Agent({ keepAlive: true, maxSockets: workers });
const post = (path: string, token: string, payload: unknown) =>
  new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const data = JSON.stringify(payload);
    const request = http.request(
      `${api}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          authorization: `Bearer ${token}`,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            resolve({
              status: response.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
            });
          } catch (error) {
            reject(error);
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(data);
  });

async function worker(w: number) {
  const pair = [stations[2 * w]!.sn, stations[2 * w + 1]!.sn] as const;
  while (!stopping) {
    const banks = pair.map((sn) => simulator.station(sn).slots.filter((s) => s.powerBank).length);
    const [from, to] = banks[0]! >= banks[1]! ? [pair[0], pair[1]] : [pair[1], pair[0]];
    const user = crowd.users[nextUser++]!;
    const t0 = performance.now();
    const res = await post('/api/rentals/start', user.token, {
      station_sn: from,
      package_id: packageId,
      payment_mode: 'wallet',
      idempotency_key: `bench-${user.userId}`,
    });
    const body = res.body as any;
    const startMs = performance.now() - t0;
    const counted = measuring;
    if (res.status !== 200 || body.data?.status !== 'active') {
      const why = `${res.status} ${body.data?.status ?? body.error?.code}${body.data?.failure_reason ? ` (${body.data.failure_reason})` : ''}`;
      errors.set(why, (errors.get(why) ?? 0) + 1);
      if (counted) failed += 1;
      await sleep(50);
      continue;
    }
    if (counted) startLatencies.push(startMs);
    const free = simulator.station(to).slots.find((s) => !s.powerBank);
    if (!free) throw new Error(`no free slot at ${to}`);
    await simulator.insert(to, free.slot, body.data.power_bank_serial, 90);
    if (!(await settled(body.data.id))) {
      // A returned power bank whose rental never settles is a bug to look at, not a slow run.
      const { rows } = await db.query<{ status: string }>('select status from rental where id = $1', [
        body.data.id,
      ]);
      const why = `not settled after ${SETTLE_TIMEOUT_MS / 1000} s (${rows[0]?.status}, rental ${body.data.id})`;
      log(why);
      errors.set(why, 1);
      if (counted) failed += 1;
      continue;
    }
    if (counted && measuring) {
      completed += 1;
      cycleLatencies.push(performance.now() - t0);
    }
  }
}

const running = Array.from({ length: workers }, (_, w) => worker(w));
await sleep(warmupS * 1000);
log(`warm-up done; measuring ${durationS} s with ${workers} workers`);
// Every process of the chain, so a run says where each rental's CPU went (the runner is this
// process: the simulated stations, the HTTP client and the settlement subscription).
const pidOf = (child: { pid?: number | undefined }) => (child.pid === undefined ? [] : [child.pid]);
const cpu = cpuWindow({
  api: () => pidOf(apiProcess),
  'station-core': () => pidOf(coreProcess),
  'mqtt-bridge': () => pidOf(bridgeProcess),
  postgres: () => pidsNamed('postgres'),
  nats: () => pidsNamed('nats-server'),
  mosquitto: () => pidsNamed('mosquitto'),
  runner: () => [process.pid],
});
measuring = true;
cpu.start();
const windowStart = performance.now();
await sleep(durationS * 1000);
measuring = false;
const cpuUsed = cpu.stop();
const windowS = (performance.now() - windowStart) / 1000;
stopping = true;
await Promise.all(running);
agent.destroy();
await events.close();
await simulator.stop();

// ---- the same statements raw, by pgbench ---------------------------------------------------------
// The rental path's statements in order, as Postgres logged them for one rental (log_statement =
// all, a --workers 1 run): the api's session lookup, rate-limit count and start transaction;
// station-core's dispense write with its command (outbox), the command marked sent, the eject
// result's write; the api applying the outcome; the runner's later check that the start moved on;
// station-core's write of the return at the other station and the settlement (its locked read
// finds the rental by the returned bank).
// station-core's statements take their rows as one jsonb parameter; here the same jsonb is built
// inline, and the actor snapshot written is a real one from this run (bench_pg_snapshot). The
// power bank goes back into the slot it left (the service path returns it at the other station:
// the same statements, and each client's rows stay consistent from one rental to the next).
const rawCrowd = aCrowd(2000, { wallet: 100_000_000 });
await runStatements(rawCrowd.statements);
await db.query(`create table bench_pg_user as
  select row_number() over () as n, u.id as user_id, s.id as session_id, 'write:user:' || u.id as rl_key
    from users u join user_session s on s.user_id = u.id where u.id in (${rawCrowd.users.map((u) => `'${u.userId}'`).join(',')})`);
await db.query(`create table bench_pg_station as
  select row_number() over () as n, s.id as station_id, s.serial_number as sn, pb.id as pb_id, pb.serial_number as pb_serial, pb.current_slot_index as slot
    from station s join lateral (select * from power_bank p where p.current_station_id = s.id order by p.current_slot_index limit 1) pb on true
   where s.serial_number like 'RB${tag}%'`);
const stationRows = Number((await db.query('select count(*) as n from bench_pg_station')).rows[0].n);
// The idempotency keys the script binds per rental (rental-raw-script.ts).
await db.query(
  `create function bench_key(rental text, variadic parts text[]) returns text language sql immutable return 'rental:' || rental || ':' || array_to_string(parts, ':')`,
);
await db.query(`create table bench_pg_snapshot as
  select snapshot from station_actor_state where serial_number like 'RB${tag}%' order by version desc limit 1`);

const dir = mkdtempSync(join(tmpdir(), 'bench-rentals-'));
const rawSetup = { stationRows, packageId, price: PRICE, slotCount: SLOTS };
/** One pgbench run of the rental script, with the raw side's CPU over the middle of it. */
async function runRaw(protocol: 'simple' | 'prepared') {
  const scriptPath = join(dir, `rental-${protocol}.sql`);
  writeFileSync(scriptPath, rentalRawScript(protocol, rawSetup));
  log(`pgbench (${protocol} protocol): ${workers} clients, ${durationS} s`);
  const { done } = startPgbench({ dbUrl, scriptPath, clients: workers, seconds: durationS, protocol });
  // Its backends connected and not yet gone: what the same statements cost Postgres and pgbench
  // per rental, next to the service path's figures.
  const rawCpu = cpuWindow({ postgres: () => pidsNamed('postgres'), pgbench: () => pidsNamed('pgbench') });
  await sleep(1000);
  rawCpu.start();
  const rawWindowStart = performance.now();
  await sleep(Math.max(1, durationS - 2) * 1000);
  const cpuUsed = rawCpu.stop();
  const windowS = (performance.now() - rawWindowStart) / 1000;
  const { tps } = await done;
  return { tps, cpuUsed, windowS };
}
const raw = await runRaw('simple');
const rawPrepared = await runRaw('prepared');
rmSync(dir, { recursive: true, force: true });

// ---- report ---------------------------------------------------------------------------------------
/** Each process group's CPU seconds ÷ the rentals done meanwhile, in ms (0 where /proc is not there). */
const perRental = (used: Record<string, number>, rentals: number) =>
  Object.fromEntries(
    Object.entries(used).map(([group, seconds]) => [
      group,
      rentals ? Number(((seconds * 1000) / rentals).toFixed(1)) : 0,
    ]),
  );
const rentalsPerS = completed / windowS;
const starts = startLatencies.sort((a, b) => a - b);
const cycles = cycleLatencies.sort((a, b) => a - b);
const figures = {
  bench: 'rentals',
  workers,
  window_s: Math.round(windowS),
  completed,
  failed,
  rentals_per_s: Number(rentalsPerS.toFixed(1)),
  raw_tps: Number(raw.tps.toFixed(1)),
  ratio: raw.tps > 0 ? Number((rentalsPerS / raw.tps).toFixed(2)) : 0,
  raw_prepared_tps: Number(rawPrepared.tps.toFixed(1)),
  ratio_to_prepared: rawPrepared.tps > 0 ? Number((rentalsPerS / rawPrepared.tps).toFixed(2)) : 0,
  start_p50_ms: Number(percentile(starts, 50).toFixed(1)),
  start_p99_ms: Number(percentile(starts, 99).toFixed(1)),
  rental_p50_ms: Number(percentile(cycles, 50).toFixed(1)),
  rental_p99_ms: Number(percentile(cycles, 99).toFixed(1)),
  // Each process group's CPU over the window ÷ rentals completed in it (0 where /proc is not there).
  cpu_ms_per_rental: perRental(cpuUsed, completed),
  // The same for the raw side: its window's CPU ÷ (pgbench's rentals/s × the window).
  raw_cpu_ms_per_rental: perRental(raw.cpuUsed, raw.tps * raw.windowS),
  raw_prepared_cpu_ms_per_rental: perRental(rawPrepared.cpuUsed, rawPrepared.tps * rawPrepared.windowS),
  // Why starts were refused or rentals never settled, warm-up included, so the JSON line says it too.
  ...(errors.size ? { refused: Object.fromEntries(errors) } : {}),
};
const cpuLine = (ms: Record<string, number>) =>
  Object.entries(ms)
    .map(([group, value]) => `${group} ${value}`)
    .join(', ');
console.log(
  [
    '',
    `workers (one rental at a time each)  ${workers}, ${stations.length} stations`,
    `complete rentals                      ${completed} in ${windowS.toFixed(1)} s → ${figures.rentals_per_s}/s (failed starts ${failed})`,
    `start latency p50 / p99               ${figures.start_p50_ms} / ${figures.start_p99_ms} ms`,
    `whole rental p50 / p99                ${figures.rental_p50_ms} / ${figures.rental_p99_ms} ms (start → settled)`,
    `same SQL raw (pgbench, ${workers} clients)     ${figures.raw_tps} rentals/s (simple protocol), ${figures.raw_prepared_tps} (prepared)`,
    `ratio                                 ${figures.ratio} (to prepared: ${figures.ratio_to_prepared})`,
    `CPU per rental (ms)                   ${cpuLine(figures.cpu_ms_per_rental)}`,
    `CPU per raw rental (ms)               ${cpuLine(figures.raw_cpu_ms_per_rental)} (prepared: ${cpuLine(figures.raw_prepared_cpu_ms_per_rental)})`,
    errors.size ? `refused starts                        ${JSON.stringify(Object.fromEntries(errors))}` : '',
    '',
  ].join('\n'),
);

// ---- clean up ----------------------------------------------------------------------------------------
await db.end();
const nats = await connectNats(env.NATS_URL, 'bench-rentals');
await stack.cleanUp(nats);
await nats.close();
console.log(JSON.stringify(figures));
