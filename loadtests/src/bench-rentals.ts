/**
 * `pnpm bench:rentals`: complete rentals per second through every real part —
 * REST `POST /api/rentals/start` on an api process, the eject acknowledged by
 * simulated stations over Mosquitto → mqtt-bridge → JetStream → station-core,
 * then the power bank put back at another station and the rental settled by
 * station-core's rental runner (announced on `rental.evt.settled`) — with
 * p50/p99 start latency and each process's CPU per rental. Next to it, in the
 * same run, the SQL statements that path issues (as Postgres logged them for
 * one rental) run raw by pgbench, with the ratio and the raw side's CPU per
 * rental. Prints a table, then ONE JSON line.
 *
 *   pnpm bench:rentals [--workers 8] [--duration 20] [--warmup 3]
 *
 * Each worker owns two stations and moves power banks between them, one
 * rental at a time (start → active → return at the other station → settled).
 * Every start is a different user (the 3-starts-a-minute rule never applies).
 * Uses a database of its own, `pb_bench_rentals`, and a NATS prefix of its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectNats } from '@powerbank/messaging';
import { subjects } from '@powerbank/protocol';
import { PACKAGE_COLUMNS, RENTAL_COLUMNS } from '@powerbank/rentals';
import { createSimulator } from '@powerbank/station-simulator';
import pg from 'pg';
import { aCrowd } from '../../services/api/src/testing/crowd.ts';
import { benchStack, freePort } from './bench-stack.ts';
import { cpuWindow, pidsNamed } from './process-cpu.ts';

const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: '8' },
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

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- set up: a fresh database; bridge, station-core and api as processes -----------------------
await stack.freshDatabase();
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
  API_PORT: String(apiPort),
  API_HOST: '127.0.0.1',
  RATE_LIMIT_WRITE_MAX: '10000000',
  RATE_LIMIT_AUTH_MAX: '10000000',
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
// station-core's write of the return at the other station, the return lookup and the settlement.
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
// The services pass each idempotency and rate-limit key as a parameter; the script reads them into
// variables too (pgbench would take a ':word' inside a quoted literal for a variable).
await db.query(
  `create function bench_key(rental text, variadic parts text[]) returns text language sql immutable return 'rental:' || rental || ':' || array_to_string(parts, ':')`,
);
await db.query(`create table bench_pg_snapshot as
  select snapshot from station_actor_state where serial_number like 'RB${tag}%' order by version desc limit 1`);

/** station-core's writes, as station-store.ts issues them (rows as one jsonb). */
const actorState = (sn: string) =>
  `update station_actor_state s set machine_version = x.mv, snapshot = x.snapshot, version = s.version + 1, updated_at = now() from jsonb_to_recordset((select jsonb_build_array(jsonb_build_object('sn', ${sn}, 'mv', 1, 'snapshot', snapshot)) from bench_pg_snapshot)) as x(sn text, mv int, snapshot jsonb) where s.serial_number = x.sn returning s.serial_number;`;
const stationUpdate = (sn: string) =>
  `update station s set status = case when s.status = 'decommissioned' then s.status else x.status end, last_heartbeat_at = coalesce(x.hb, s.last_heartbeat_at), firmware_version = coalesce(x.fw, s.firmware_version), slot_count = case when x.slot_count > 0 then x.slot_count else s.slot_count end, updated_at = now() from jsonb_to_recordset(jsonb_build_array(jsonb_build_object('sn', ${sn}, 'status', 'online', 'hb', now(), 'fw', 'sim-1.0.0', 'slot_count', ${SLOTS}))) as x(sn text, status text, hb timestamptz, fw text, slot_count int) where s.serial_number = x.sn;`;
const slotUpsert = (sn: string, status: string, serial: string) =>
  `insert into station_slot (id, station_id, slot_index, status, power_bank_id, battery_level, last_changed_at, created_at, updated_at) select gen_random_uuid(), st.id, x."slotIndex", x.status, pb.id, x.battery, now(), now(), now() from jsonb_to_recordset(jsonb_build_array(jsonb_build_object('sn', ${sn}, 'slotIndex', :slot, 'status', ${status}, 'powerBankSerial', ${serial}, 'battery', 90))) as x(sn text, "slotIndex" int, status text, "powerBankSerial" text, battery int) join station st on st.serial_number = x.sn left join power_bank pb on pb.serial_number = x."powerBankSerial" on conflict (station_id, slot_index) do update set status = excluded.status, power_bank_id = excluded.power_bank_id, battery_level = excluded.battery_level, last_changed_at = case when station_slot.status is distinct from excluded.status or station_slot.power_bank_id is distinct from excluded.power_bank_id then now() else station_slot.last_changed_at end, updated_at = now();`;
/** rental-record.ts's saveRental: every field an event may change, in one statement. */
const saveRental = (status: string, returnStation: string, returnSlot: string, returnedAt: string) =>
  `update rental set status = ${status}, power_bank_id = :pbid, start_slot_index = :slot, return_station_id = ${returnStation}, return_slot_index = ${returnSlot}, prepaid_amount = ${PRICE}, held_amount = 0, overage_amount = 0, late_fee_amount = 0, settled_amount = 0, due_amount = 0, extension_count = 0, failure_reason = null, started_at = now(), due_at = now() + interval '1 hour', returned_at = ${returnedAt}, settled_at = ${returnedAt}, cancelled_at = null, updated_at = now() where id = :rid`;
const configKeys15 =
  "any(array['k1','k2','k3','k4','k5','k6','k7','k8','k9','k10','k11','k12','k13','k14','k15'])";
const KEYS = ['start', 'start:wallet', 'started', 'reward', 'timely', 'returned'];
const keyVar = (what: string) => `k_${what.replace(':', '_')}`;
/**
 * The script's variables, read per rental: in simple mode as quoted literals pasted into the text,
 * with `-M prepared` as plain values bound as parameters.
 */
const variables = (protocol: 'simple' | 'prepared') => {
  const lit = (expr: string) => (protocol === 'simple' ? `quote_literal(${expr})` : expr);
  return `
\\set n random(1, 2000)
\\set st (:client_id % ${stationRows}) + 1
select ${lit('user_id')} as uid, ${lit('session_id')} as sid, ${lit('rl_key')} as rlkey from bench_pg_user where n = :n \\gset
select ${lit('station_id')} as stid, ${lit('sn')} as sn, ${lit('pb_id')} as pbid, ${lit('pb_serial')} as pbs, slot from bench_pg_station where n = :st \\gset
select ${lit('r')} as rid, ${lit('t')} as tid, ${lit('c')} as cid, ${KEYS.map((what) => `${lit(`bench_key(r, '${what.split(':').join("', '")}')`)} as ${keyVar(what)}`).join(', ')}
  from (select gen_random_uuid()::text as r, gen_random_uuid()::text as t, gen_random_uuid()::text as c) ids \\gset
`;
};
const statements = `select s.*, u.* from user_session s join users u on u.id = s.user_id where s.id = :sid limit 1;
select id, role from admin_profile where user_id = :uid and is_active = true limit 1;
insert into rate_limit_counter as c (key, hits, reset_at) values (:rlkey, 1, now() + make_interval(secs => 60)) on conflict (key) do update set hits = case when c.reset_at <= now() then 1 else c.hits + 1 end, reset_at = case when c.reset_at <= now() then excluded.reset_at else c.reset_at end returning hits, reset_at;
begin;
select key, value from app_config where key = ${configKeys15};
select u.status, exists (select 1 from rental r where r.user_id = u.id and r.idempotency_key = :rid) as replay, m.open, m.due, m.recent from users u cross join lateral (select count(*) filter (where status in ('pending', 'dispensing', 'active', 'overdue')) as open, coalesce(sum(due_amount), 0) as due, count(*) filter (where created_at > now() - interval '1 minute') as recent from rental where user_id = u.id) m where u.id = :uid;
select id, status from station where serial_number = :sn for update;
select ${PACKAGE_COLUMNS} from rental_package where id = ${packageId} and is_active = true limit 1;
insert into rental (id, user_id, package_id, start_station_id, status, payment_mode, currency, prepaid_amount, wallet_paid, points_paid, held_amount, overage_amount, late_fee_amount, settled_amount, due_amount, extension_count, idempotency_key, dispense_command_id, created_at, updated_at) values (:rid, :uid, ${packageId}, :stid, 'pending', 'wallet', 'USD', 0, 0, 0, 0, 0, 0, 0, 0, 0, :rid, :cid, now(), now()) returning ${RENTAL_COLUMNS};
select id, type, amount, wallet_amount, points_used, metadata from transactions where idempotency_key = :k_start limit 1;
select key, value from app_config where key = any(array['p1', 'p2', 'p3']);
select balance, held, currency from wallet where user_id = :uid limit 1;
select balance from user_points where user_id = :uid limit 1;
insert into transactions (id, user_id, type, status, amount, currency, wallet_amount, points_used, gateway, rental_id, paid_at, description, metadata, idempotency_key, created_at, updated_at) values (:tid, :uid, 'rental', 'succeeded', ${PRICE}, 'USD', ${PRICE}, 0, 'wallet', :rid, now(), 'Rental', '{}', :k_start, now(), now());
with a as (update wallet set balance = balance - ${PRICE}, version = version + 1, updated_at = now() where user_id = :uid and balance - held >= ${PRICE} returning id, balance, currency) insert into wallet_transaction (id, wallet_id, user_id, type, amount, balance_after, currency, reference_type, reference_id, transaction_id, idempotency_key, description, created_at) select gen_random_uuid(), a.id, :uid, 'rental_charge', -${PRICE}, a.balance, a.currency, 'rental', :rid, :tid, :k_start_wallet, 'Rental', now() from a returning id, wallet_id as account_id, balance_after;
select (select count(*) from station_slot where station_id = :stid and status = 'ready' and battery_level >= 20) as ready, (select count(*) from rental where start_station_id = :stid and status in ('pending', 'dispensing') and id <> :rid) as promised;
update rental set prepaid_amount = ${PRICE}, wallet_paid = ${PRICE}, points_paid = 0, held_amount = 0, updated_at = now() where id = :rid;
commit;
begin;
${actorState(':sn')}
${slotUpsert(':sn', `'ejecting'`, ':pbs')}
insert into station_command (id, serial_number, kind, slot_index, rental_id, payload, status, created_at, updated_at) select x.id, x.sn, x.kind, x."slotIndex", case when x."rentalId" ~ '^[0-9a-f-]{36}$' then x."rentalId"::uuid else null end, x.payload, 'pending', now(), now() from jsonb_to_recordset(jsonb_build_array(jsonb_build_object('id', :cid, 'sn', :sn, 'kind', 'eject', 'slotIndex', :slot, 'rentalId', :rid, 'payload', jsonb_build_object('v', 1, 'kind', 'eject', 'msgId', :cid, 'ts', 1700000000000, 'commandId', :cid, 'slot', :slot, 'rentalId', :rid)))) as x(id text, sn text, kind text, "slotIndex" int, "rentalId" text, payload jsonb) on conflict (id) do nothing;
commit;
update station_command set status = 'sent', sent_at = now(), updated_at = now() where status = 'pending' and id in (select value from jsonb_array_elements_text(jsonb_build_array(:cid)));
begin;
${actorState(':sn')}
${stationUpdate(':sn')}
${slotUpsert(':sn', `'empty'`, 'null')}
update power_bank pb set status = 'rented', current_station_id = null, current_slot_index = null, current_rental_id = case when x.rental ~ '^[0-9a-f-]{36}$' then x.rental::uuid else null end, last_seen_at = now(), updated_at = now() from jsonb_to_recordset(jsonb_build_array(jsonb_build_object('serial', :pbs, 'rental', :rid))) as x(serial text, rental text) where pb.serial_number = x.serial;
update station_command c set status = x.status, result = x.result, resolved_at = now(), updated_at = now() from jsonb_to_recordset(jsonb_build_array(jsonb_build_object('id', :cid, 'status', 'succeeded', 'result', jsonb_build_object('ok', true, 'slot', :slot, 'powerBankSerial', :pbs)))) as x(id text, status text, result jsonb) where c.id = x.id;
commit;
begin;
select ${RENTAL_COLUMNS} from rental where id = :rid limit 1 for update;
select key, value from app_config where key = ${configKeys15};
select ${PACKAGE_COLUMNS} from rental_package where id = ${packageId} limit 1;
select id from power_bank where serial_number = :pbs limit 1;
insert into notification (id, user_id, type, channel, title, body, payload, status, dedupe_key, sent_at, created_at, updated_at) values (gen_random_uuid(), :uid, 'rental_started', 'in_app', 'Rental started', 'Your rental started', '{}', 'sent', :k_started, now(), now(), now()) on conflict (user_id, dedupe_key) where dedupe_key is not null do nothing;
${saveRental("'active'", 'null', 'null', 'null')};
commit;
select status from rental where id = :rid;
begin;
${actorState(':sn')}
${stationUpdate(':sn')}
insert into power_bank (id, serial_number, status, battery_level, current_station_id, current_slot_index, current_rental_id, last_seen_at, created_at, updated_at) select gen_random_uuid(), x.pb, 'in_slot', x.battery, st.id, x.slot_index, null, now(), now(), now() from jsonb_to_recordset(jsonb_build_array(jsonb_build_object('sn', :sn, 'slot_index', :slot, 'pb', :pbs, 'battery', 90))) as x(sn text, slot_index int, pb text, battery int) join station st on st.serial_number = x.sn where x.pb is not null on conflict (serial_number) do update set status = case when power_bank.status in ('retired') then power_bank.status else 'in_slot' end, battery_level = excluded.battery_level, current_station_id = excluded.current_station_id, current_slot_index = excluded.current_slot_index, current_rental_id = null, last_seen_at = now(), updated_at = now();
update station_slot ss set power_bank_id = null, status = 'empty', battery_level = null, last_changed_at = now(), updated_at = now() from jsonb_to_recordset(jsonb_build_array(jsonb_build_object('sn', :sn, 'slotIndex', :slot, 'powerBankSerial', :pbs))) as x(sn text, "slotIndex" int, "powerBankSerial" text) join station st on st.serial_number = x.sn join power_bank pb on pb.serial_number = x."powerBankSerial" where ss.power_bank_id = pb.id and not (ss.station_id = st.id and ss.slot_index = x."slotIndex");
${slotUpsert(':sn', `'ready'`, ':pbs')}
commit;
select r.id from rental r join power_bank pb on pb.id = r.power_bank_id where pb.serial_number = :pbs and r.status in ('active', 'overdue');
begin;
select ${RENTAL_COLUMNS} from rental where id = :rid limit 1 for update;
select key, value from app_config where key = ${configKeys15};
select ${PACKAGE_COLUMNS} from rental_package where id = ${packageId} limit 1;
select id from station where serial_number = :sn limit 1;
select price from power_bank where id = :pbid limit 1;
with a as (update user_points set balance = balance + 5, lifetime_earned = lifetime_earned + 5, version = version + 1, updated_at = now() where user_id = :uid returning id, balance) insert into points_transaction (id, account_id, user_id, type, points, balance_after, reference_type, reference_id, idempotency_key, description, created_at) select gen_random_uuid(), a.id, :uid, 'rental_reward', 5, a.balance, 'rental', :rid, :k_reward, 'Rental', now() from a returning id;
with a as (update user_points set balance = balance + 50, lifetime_earned = lifetime_earned + 50, version = version + 1, updated_at = now() where user_id = :uid returning id, balance) insert into points_transaction (id, account_id, user_id, type, points, balance_after, reference_type, reference_id, idempotency_key, description, created_at) select gen_random_uuid(), a.id, :uid, 'timely_return', 50, a.balance, 'rental', :rid, :k_timely, 'Rental', now() from a returning id;
insert into notification (id, user_id, type, channel, title, body, payload, status, dedupe_key, sent_at, created_at, updated_at) values (gen_random_uuid(), :uid, 'rental_returned', 'in_app', 'Returned', 'Thanks', '{}', 'sent', :k_returned, now(), now(), now()) on conflict (user_id, dedupe_key) where dedupe_key is not null do nothing;
${saveRental("'settled'", ':stid', ':slot', 'now()')};
commit;
`;
// pgbench runs the script twice: with its default simple protocol (each statement's text parsed and
// planned per call: the figure the ratio is taken against) and with `-M prepared` (parsed once per
// connection, as the services' own statements are: sqlRows, station-core's pool). The same script
// serves both: quoted literals in simple mode, bound parameters when prepared — typed where
// Postgres cannot infer a parameter's type (the arguments of jsonb_build_object/array).
function scriptFor(protocol: 'simple' | 'prepared'): string {
  return variables(protocol) + typedInJsonBuilders(statements);
}

/** `:name` → `:name::text` (`::int` for the slot) inside every jsonb_build_object/array call. */
function typedInJsonBuilders(sql: string): string {
  let out = '';
  let at = 0;
  for (const match of sql.matchAll(/jsonb_build_(object|array)\(/g)) {
    if (match.index < at) continue; // inside a builder already typed
    let depth = 0;
    let end = match.index + match[0].length - 1;
    do {
      if (sql[end] === '(') depth += 1;
      if (sql[end] === ')') depth -= 1;
      end += 1;
    } while (depth > 0);
    const call = sql
      .slice(match.index, end)
      .replace(/:(\w+)\b(?!::)/g, (_all, name: string) => `:${name}::${name === 'slot' ? 'int' : 'text'}`);
    out += sql.slice(at, match.index) + call;
    at = end;
  }
  return out + sql.slice(at);
}

const dir = mkdtempSync(join(tmpdir(), 'bench-rentals-'));
const url = new URL(dbUrl);
async function runRaw(protocol: 'simple' | 'prepared') {
  const scriptPath = join(dir, `rental-${protocol}.sql`);
  writeFileSync(scriptPath, scriptFor(protocol));
  log(`pgbench (${protocol} protocol): ${workers} clients, ${durationS} s`);
  const bench = spawn(
    'pgbench',
    [
      '-h',
      url.hostname,
      '-p',
      url.port || '5432',
      '-U',
      decodeURIComponent(url.username) || 'postgres',
      '-n',
      '-M',
      protocol,
      '-f',
      scriptPath,
      '-c',
      String(workers),
      '-j',
      '2',
      '-T',
      String(durationS),
      url.pathname.slice(1),
    ],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } },
  );
  let benchOut = '';
  bench.stdout.on('data', (chunk) => {
    benchOut += chunk;
  });
  bench.stderr.on('data', (chunk) => {
    benchOut += chunk;
  });
  const benchExit = new Promise<number | null>((resolve) => bench.on('close', resolve));
  // The raw side's CPU over the middle of its run (its backends connected, not yet gone): what the
  // same statements cost Postgres and pgbench per rental, next to the service path's figures.
  const rawCpu = cpuWindow({ postgres: () => pidsNamed('postgres'), pgbench: () => pidsNamed('pgbench') });
  await sleep(1000);
  rawCpu.start();
  const rawWindowStart = performance.now();
  await sleep(Math.max(1, durationS - 2) * 1000);
  const cpuUsed = rawCpu.stop();
  const windowS = (performance.now() - rawWindowStart) / 1000;
  if ((await benchExit) !== 0) throw new Error(`pgbench failed: ${benchOut}`);
  const tps = Number(/tps = ([\d.]+)/.exec(benchOut)?.[1] ?? 0);
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
