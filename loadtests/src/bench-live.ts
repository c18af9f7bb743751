/**
 * `pnpm bench:live`: 1,000 console clients subscribed to `admin.live.slots` over SSE on ONE api
 * process, while simulated stations drive slot events through the real pipeline (simulator →
 * Mosquitto → mqtt-bridge → JetStream → station-core → NATS → api's live hub → SSE). Measures
 * delivery latency from the moment `core.evt.station` is on NATS (seen by the client's process, or
 * received by the api if that came first: `delivered_timed_by_api_receipt`) to each client's
 * receipt, and the api's CPU per delivered event, per stream message received by the clients and
 * per message it wrote (its /metrics; the hub sends each stream one message per tick with that
 * tick's events: `LIVE_TICK_MS`). Prints a table, then ONE JSON line.
 *
 *   pnpm bench:live [--clients 1000] [--events-per-s 200] [--stations 200] [--duration 20] [--warmup 5]
 *                   [--client-procs 2] [--tick-ms 100]
 *
 * The clients (the typed client: `eventsource` over fetch) run in `--client-procs` processes of their
 * own (live-clients.ts), so their parsing does not queue in the process that drives the events; on a
 * small machine they still share its cores with the services, so the figures are an upper bound.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AdminProfile, openOrm, User, UserSession } from '@powerbank/db';
import { connectNats } from '@powerbank/messaging';
import { createSimulator, demoStations } from '@powerbank/station-simulator';
import { NODE_FLAGS } from '@powerbank/testing';
import { generateSessionToken, sessionIdOf } from '../../services/api/src/platform/session.ts';
import { benchStack, freePort } from './bench-stack.ts';
import { LatencyHistogram } from './live-latency.ts';
import { cpuSeconds } from './process-cpu.ts';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    'events-per-s': { type: 'string', default: '200' },
    stations: { type: 'string', default: '200' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    'client-procs': { type: 'string', default: '2' },
    /** The api's LIVE_TICK_MS: how long its hub gathers events into one message per stream. */
    'tick-ms': { type: 'string', default: '100' },
  },
});
const clientCount = Number(args.clients);
const eventsPerS = Number(args['events-per-s']);
const stationCount = Number(args.stations);
const durationS = Number(args.duration);
const warmupS = Number(args.warmup);
const clientProcs = Math.max(1, Number(args['client-procs']));

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
  LIVE_TICK_MS: args['tick-ms'],
  DB_POOL_MIN: '0',
  DB_POOL_MAX: '4',
});
await waitFor(`http://127.0.0.1:${bridgePort}/metrics`);
await waitFor(`http://127.0.0.1:${corePort}/health`);
await waitFor(`http://127.0.0.1:${apiPort}/api/app/health`);
log('bridge, station-core and api are up');

// ---- events on NATS, counted here; each client process times its deliveries itself --------------
const nats = await connectNats(env.NATS_URL, 'bench-live');
let published = 0;
const subject = `${prefix}.core.evt.station`;
nats.subscribe(subject, {
  callback: () => {
    published += 1;
  },
});

/**
 * The SSE frames the api has written to live streams so far (its /metrics): what it sent, whether
 * or not lagging clients have read it yet in the window.
 */
async function framesWritten(): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
  const match = /^live_sse_frames_written_total (\S+)$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

// ---- the clients, in processes of their own -----------------------------------------------------
/** `BENCH_CPU_PROF=<dir>`: each client process writes its V8 CPU profile there too, as the services do. */
const clientProfiling = (i: number) => {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=live-clients-${i}.cpuprofile`] : [];
};
type FromClients =
  | { type: 'started'; n: number }
  | {
      type: 'report';
      delivered: number;
      messages: number;
      byApiReceipt: number;
      reconnections: number;
      failed: number;
      histogram: number[];
    };
const clientProcesses = Array.from({ length: clientProcs }, (_, i) => {
  const share = Math.floor(clientCount / clientProcs) + (i < clientCount % clientProcs ? 1 : 0);
  const child = fork(
    fileURLToPath(new URL('./live-clients.ts', import.meta.url)),
    [
      '--url',
      `http://127.0.0.1:${apiPort}`,
      '--token',
      token,
      '--clients',
      String(share),
      '--nats-url',
      env.NATS_URL,
      '--subject',
      subject,
    ],
    // The services' Node flags (a 64 MB young generation: a client allocates per message and event).
    { execArgv: [...NODE_FLAGS, '--import', 'tsx', ...clientProfiling(i)] },
  );
  const state = {
    child,
    started: 0,
    report: undefined as Extract<FromClients, { type: 'report' }> | undefined,
  };
  child.on('message', (message: FromClients) => {
    if (message.type === 'started') state.started = message.n;
    else state.report = message;
  });
  return state;
});
const startedClients = () => clientProcesses.reduce((sum, c) => sum + c.started, 0);
const toClients = (message: object) => {
  for (const { child } of clientProcesses) child.send(message);
};
const connectDeadline = Date.now() + 60_000;
while (startedClients() < clientCount && Date.now() < connectDeadline)
  await new Promise((r) => setTimeout(r, 100));
const started = startedClients();
log(`${started} of ${clientCount} clients subscribed in ${clientProcs} processes`);

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

// The window by the clock, sent now (its start is a warm-up away): clients count what they receive
// in it whenever they get to handle this message or their streams.
const window = { from: Date.now() + warmupS * 1000, to: Date.now() + (warmupS + durationS) * 1000 };
toClients({ type: 'window', ...window });
await new Promise((r) => setTimeout(r, window.from - Date.now()));
const eventsBefore = published;
const framesBefore = await framesWritten();
const cpuBefore = cpuSeconds(api.pid);
const clientsCpu = () => clientProcesses.reduce((sum, { child }) => sum + (cpuSeconds(child.pid) ?? 0), 0);
const clientsCpuBefore = clientsCpu();
const windowStart = Date.now();
await new Promise((r) => setTimeout(r, window.to - Date.now()));
const windowS = (Date.now() - windowStart) / 1000;
const cpuAfter = cpuSeconds(api.pid);
const framesAfter = await framesWritten();
const clientsCpuS = clientsCpu() - clientsCpuBefore;
const events = published - eventsBefore;
clearInterval(driver);

toClients({ type: 'report' });
const reportDeadline = Date.now() + 30_000;
while (clientProcesses.some((c) => !c.report) && Date.now() < reportDeadline)
  await new Promise((r) => setTimeout(r, 100));
const latencies = new LatencyHistogram();
let delivered = 0;
let messages = 0;
let failed = 0;
let byApiReceipt = 0;
let reconnections = 0;
for (const { report } of clientProcesses) {
  if (!report) continue;
  byApiReceipt += report.byApiReceipt;
  reconnections += report.reconnections;
  latencies.merge(report.histogram);
  delivered += report.delivered;
  messages += report.messages;
  failed += report.failed;
}
const apiCpuS = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
const cpuPer = (count: number) =>
  apiCpuS === undefined || !count ? null : Math.round((apiCpuS * 1e6) / count);
const written =
  framesBefore === undefined || framesAfter === undefined ? undefined : framesAfter - framesBefore;
const figures = {
  bench: 'live',
  clients: started,
  events_per_s: Math.round(events / windowS),
  delivered_per_s: Math.round(delivered / windowS),
  messages_per_s: Math.round(messages / windowS),
  delivery_p50_ms: latencies.percentile(50),
  delivery_p99_ms: latencies.percentile(99),
  delivery_max_ms: latencies.max(),
  api_cpu_us_per_event: cpuPer(delivered),
  api_cpu_us_per_message: cpuPer(messages),
  /** Messages (SSE frames) the api wrote in the window, read by the clients yet or not. */
  api_messages_written_per_s: written === undefined ? null : Math.round(written / windowS),
  api_cpu_us_per_written_message: written === undefined ? null : cpuPer(written),
  api_cpu_s_per_s: apiCpuS === undefined ? null : Number((apiCpuS / windowS).toFixed(2)),
  clients_cpu_s_per_s: Number((clientsCpuS / windowS).toFixed(2)),
  /** The client processes' CPU per delivered event (when every process reported its deliveries). */
  clients_cpu_us_per_event:
    delivered && clientProcesses.every((c) => c.report) ? Math.round((clientsCpuS * 1e6) / delivered) : null,
  client_errors: failed,
  /** Deliveries timed from the api's receipt, not from their client process seeing them on NATS. */
  delivered_timed_by_api_receipt: byApiReceipt,
  /** Streams that started again (dropped for not keeping up, then resumed), over the whole run. */
  client_reconnections: reconnections,
  client_processes: clientProcs,
  tick_ms: Number(args['tick-ms']),
  client_reports: clientProcesses.filter((c) => c.report).length,
};
console.log(
  [
    '',
    `clients                ${started} (admin.live.slots over SSE, one api process)`,
    `events                 ${figures.events_per_s}/s on NATS, ${figures.delivered_per_s} deliveries/s in ${figures.messages_per_s} messages/s`,
    `delivery p50 / p99     ${figures.delivery_p50_ms} / ${figures.delivery_p99_ms} ms (max ${figures.delivery_max_ms})`,
    `api CPU                ${figures.api_cpu_us_per_event} µs per delivered event, ${figures.api_cpu_us_per_message} µs per message (${figures.api_cpu_s_per_s} cores)`,
    `api writes             ${figures.api_messages_written_per_s} messages/s, ${figures.api_cpu_us_per_written_message} µs CPU per message written`,
    `clients CPU            ${figures.clients_cpu_us_per_event} µs per delivered event (${figures.clients_cpu_s_per_s} cores)`,
    `clients                ${figures.client_reconnections} reconnections; ${figures.delivered_timed_by_api_receipt} deliveries timed from the api's receipt`,
    '',
  ].join('\n'),
);
console.log(JSON.stringify(figures));

// ---- clean up -----------------------------------------------------------------------------------
// Each exits once it has reported (writing its profile, if asked): a few seconds, then it is killed.
await Promise.all(
  clientProcesses.map(({ child }) =>
    child.exitCode === null
      ? Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000))])
      : undefined,
  ),
);
for (const { child } of clientProcesses) if (child.exitCode === null) child.kill();
await simulator.stop();
await stack.cleanUp(nats);
await nats.close();
process.exit(0);
