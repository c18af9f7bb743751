/**
 * `pnpm bench:live`: 1,000 console clients subscribed to `admin.live.slots` over SSE on ONE api
 * process, while simulated stations drive slot events through the real pipeline (simulator →
 * Mosquitto → mqtt-bridge → JetStream → station-core → NATS → api's live hub → SSE). Measures
 * delivery latency from the moment `core.evt.station` is on NATS (seen by this process) to each
 * client's receipt, and the api's CPU per delivered message. Prints a table, then ONE JSON line.
 *
 *   pnpm bench:live [--clients 1000] [--events-per-s 200] [--stations 200] [--duration 20] [--warmup 5]
 *
 * The clients run in this process (as the typed client does: `eventsource` over fetch); on a small
 * machine they share its cores with the services, so the figures are an upper bound.
 */
import { parseArgs } from 'node:util';
import { AdminProfile, openOrm, User, UserSession } from '@powerbank/db';
import { connectNats } from '@powerbank/messaging';
import { createSimulator, demoStations } from '@powerbank/station-simulator';
import { createApiClient } from '../../packages/api-client/src/index.ts';
import { generateSessionToken, sessionIdOf } from '../../services/api/src/platform/session.ts';
import { benchStack, freePort, percentile } from './bench-stack.ts';
import { cpuSeconds } from './process-cpu.ts';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    'events-per-s': { type: 'string', default: '200' },
    stations: { type: 'string', default: '200' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
  },
});
const clientCount = Number(args.clients);
const eventsPerS = Number(args['events-per-s']);
const stationCount = Number(args.stations);
const durationS = Number(args.duration);
const warmupS = Number(args.warmup);

const stack = benchStack('bench:live', 'pb_bench_live', 'blive');
const { env, prefix, log, startService, waitFor } = stack;

// ---- set up: database, stations, an admin session, bridge, core and api as processes -----------
await stack.freshDatabase();
await stack.brokerAccounts();
const seeds = demoStations(stationCount, { prefix: `LV${prefix.slice(-6)}`, slots: 12, fill: 0.5 });
await stack.provisionStations(seeds);

const orm = await openOrm({ ...env, DATABASE_URL: stack.dbUrl, DB_POOL_MAX: 2 });
const token = generateSessionToken();
{
  const em = orm.em.fork();
  const user = em.create(User, {
    phone: '+15550000001',
    fullName: 'Bench Operator',
    countryCode: 'US',
    referralCode: 'BENCHLIVE',
  });
  em.create(AdminProfile, { user, role: 'operations', displayName: 'Bench Operator' });
  em.create(UserSession, {
    id: sessionIdOf(token),
    user,
    expiresAt: new Date(Date.now() + 86_400_000),
    lastUsedAt: new Date(),
  });
  await em.flush();
}
await orm.close();

const bridgePort = await freePort();
const corePort = await freePort();
const apiPort = await freePort();
startService('mqtt-bridge', 'services/mqtt-bridge/src/main.ts', {
  BRIDGE_SHARE_GROUP: prefix,
  MQTT_CLIENT_ID: `${prefix}-bridge`,
  BRIDGE_METRICS_PORT: String(bridgePort),
  DB_POOL_MIN: '0',
  DB_POOL_MAX: '4',
});
startService('station-core', 'services/station-core/src/main.ts', {
  CORE_METRICS_PORT: String(corePort),
  HEARTBEAT_INTERVAL_S: '600',
  DB_POOL_MIN: '1',
  DB_POOL_MAX: '8',
});
const api = startService('api', 'services/api/src/main.ts', {
  API_PORT: String(apiPort),
  NODE_ENV: 'development',
  STATION_DIRECTORY_PRELOAD: 'false',
  REFUND_RECONCILE_INTERVAL_MS: '0',
  DB_POOL_MIN: '0',
  DB_POOL_MAX: '4',
});
await waitFor(`http://127.0.0.1:${bridgePort}/metrics`);
await waitFor(`http://127.0.0.1:${corePort}/health`);
await waitFor(`http://127.0.0.1:${apiPort}/api/app/health`);
log('bridge, station-core and api are up');

// ---- when each event was on NATS: the reference of every delivery -----------------------------
const nats = await connectNats(env.NATS_URL, 'bench-live');
const onNats = new Map<string, number>();
let published = 0;
const keyOf = (event: { sn: string; slots: unknown }) => `${event.sn}|${JSON.stringify(event.slots)}`;
nats.subscribe(`${prefix}.core.evt.station`, {
  callback: (_error, message) => {
    const event = message.json<{ sn: string; slots: unknown }>();
    // The latest: a slot taken out brings a station back to a state it had before.
    onNats.set(keyOf(event), Date.now());
    published += 1;
  },
});

// ---- the clients --------------------------------------------------------------------------------
let measuring = false;
let delivered = 0;
const latencies: number[] = [];
let started = 0;
let failed = 0;
const subscriptions = Array.from({ length: clientCount }, () => {
  const client = createApiClient({ url: `http://127.0.0.1:${apiPort}`, token });
  return client.admin.live.slots.subscribe(undefined, {
    onStarted: () => {
      started += 1;
    },
    onData: ({ data }) => {
      const at = Date.now();
      const sent = onNats.get(keyOf(data));
      if (!measuring || sent === undefined) return;
      delivered += 1;
      latencies.push(at - sent);
    },
    onError: () => {
      failed += 1;
    },
  });
});
const connectDeadline = Date.now() + 60_000;
while (started < clientCount && Date.now() < connectDeadline) await new Promise((r) => setTimeout(r, 100));
log(`${started} of ${clientCount} clients subscribed (${failed} failed)`);

// ---- drive slot events: power banks taken out and put back -------------------------------------
const simulator = createSimulator({
  mqttUrl: env.MQTT_URL,
  topicRoot: prefix,
  stations: seeds,
  heartbeatIntervalMs: 60_000,
  connectBatchSize: 100,
});
await simulator.start();
const serials = seeds.map((s) => s.sn);
let tick = 0;
const driver = setInterval(() => {
  for (let i = 0; i < eventsPerS / 10; i++) {
    const sn = serials[(tick * 31 + i) % serials.length]!;
    const slot = ((tick + i * 5) % 12) + 1;
    const view = simulator.station(sn);
    const target = view.slots.find((s) => s.slot === slot);
    if (!view.connected || !target) continue;
    const action = target.powerBank
      ? simulator.remove(sn, slot)
      : simulator.insert(sn, slot, `${sn}-L${tick}-${slot}`, 60);
    action.catch(() => undefined);
  }
  tick += 1;
}, 100);

await new Promise((r) => setTimeout(r, warmupS * 1000));
const eventsBefore = published;
const cpuBefore = cpuSeconds(api.pid);
const windowStart = Date.now();
measuring = true;
await new Promise((r) => setTimeout(r, durationS * 1000));
measuring = false;
const windowS = (Date.now() - windowStart) / 1000;
const cpuAfter = cpuSeconds(api.pid);
const events = published - eventsBefore;
clearInterval(driver);

const sorted = latencies.sort((a, b) => a - b);
const apiCpuS = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
const figures = {
  bench: 'live',
  clients: started,
  events_per_s: Math.round(events / windowS),
  delivered_per_s: Math.round(delivered / windowS),
  delivery_p50_ms: percentile(sorted, 50),
  delivery_p99_ms: percentile(sorted, 99),
  delivery_max_ms: sorted.at(-1) ?? 0,
  api_cpu_us_per_message:
    apiCpuS === undefined || !delivered ? null : Math.round((apiCpuS * 1e6) / delivered),
  client_errors: failed,
};
console.log(
  [
    '',
    `clients                ${started} (admin.live.slots over SSE, one api process)`,
    `events                 ${figures.events_per_s}/s on NATS, ${figures.delivered_per_s} deliveries/s`,
    `delivery p50 / p99     ${figures.delivery_p50_ms} / ${figures.delivery_p99_ms} ms (max ${figures.delivery_max_ms})`,
    `api CPU per message    ${figures.api_cpu_us_per_message} µs`,
    '',
  ].join('\n'),
);
console.log(JSON.stringify(figures));

// ---- clean up -----------------------------------------------------------------------------------
for (const subscription of subscriptions) subscription.unsubscribe();
await simulator.stop();
await stack.cleanUp(nats);
await nats.close();
process.exit(0);
