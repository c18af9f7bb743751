/**
 * `pnpm bench:events`: simulated stations → Mosquitto → mqtt-bridge → JetStream
 * → station-core → Postgres, every part real, bridge and core in their own
 * processes. Measures events persisted per second, latency from the moment a
 * simulated station built a message (its `ts`) to the commit of the transition in
 * station-core, and events lost (published − persisted). Prints a table, then
 * ONE JSON line.
 *
 *   pnpm bench:events [--stations 2000] [--heartbeat-ms 200] [--duration 30] [--warmup 5]
 *                     [--slot-events-per-s 100] [--bridge-connections 16]
 *
 * Run it without the dev stack (infra/down): the dev bridge would relay the
 * benchmark's stations too. It uses a database of its own, `pb_bench_events`.
 */
import { parseArgs } from 'node:util';
import { connectNats } from '@powerbank/messaging';
import { createSimulator, demoStations } from '@powerbank/station-simulator';
import { benchStack, freePort, percentile } from './bench-stack.ts';

const { values: args } = parseArgs({
  options: {
    stations: { type: 'string', default: '2000' },
    'heartbeat-ms': { type: 'string', default: '200' },
    duration: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    'slot-events-per-s': { type: 'string', default: '100' },
    'bridge-connections': { type: 'string', default: '16' },
  },
});
const stationCount = Number(args.stations);
const heartbeatMs = Number(args['heartbeat-ms']);
const durationS = Number(args.duration);
const warmupS = Number(args.warmup);
const slotEventsPerS = Number(args['slot-events-per-s']);

const stack = benchStack('bench:events', 'pb_bench_events', 'bench');
const { env, prefix, log, startService, waitFor } = stack;

// ---- set up: a fresh database, bridge and core as processes ------------------------------------
await stack.freshDatabase();
await stack.brokerAccounts();

const bridgePort = await freePort();
const corePort = await freePort();
startService('mqtt-bridge', 'services/mqtt-bridge/src/main.ts', {
  BRIDGE_SHARE_GROUP: prefix,
  MQTT_CLIENT_ID: `${prefix}-bridge`,
  BRIDGE_METRICS_PORT: String(bridgePort),
  BRIDGE_CONNECTIONS: args['bridge-connections'],
  DB_POOL_MIN: '0',
  DB_POOL_MAX: '4',
});
startService('station-core', 'services/station-core/src/main.ts', {
  CORE_METRICS_PORT: String(corePort),
  CORE_TRACE_PROCESSED: 'true',
  // Heartbeats in this benchmark come every few hundred ms; the watchdog is not what is measured.
  HEARTBEAT_INTERVAL_S: '600',
  DB_POOL_MIN: '2',
  DB_POOL_MAX: '10',
});
await waitFor(`http://127.0.0.1:${bridgePort}/metrics`);
await waitFor(`http://127.0.0.1:${corePort}/health`);
log('bridge and station-core are up');

// ---- trace what station-core persisted -------------------------------------------------------
// Latency is the core's commit time minus the message's own timestamp (set by the simulated
// station when it built the message), both from this machine's clock: a busy benchmark process
// reading the traces late does not change the figures.
const nats = await connectNats(env.NATS_URL, 'bench-events');
const persistedIds = new Set<string>();
let window = { from: Number.POSITIVE_INFINITY, to: Number.POSITIVE_INFINITY };
let persistedInWindow = 0;
const latencies: number[] = [];
nats.subscribe(`${prefix}.core.evt.processed`, {
  callback: (_err, msg) => {
    for (const [id, at, ts] of msg.json<[string, number, number][]>()) {
      if (persistedIds.has(id)) continue;
      persistedIds.add(id);
      if (at >= window.from && at < window.to) {
        persistedInWindow += 1;
        latencies.push(at - ts);
      }
    }
  },
});

// ---- drive the stations ----------------------------------------------------------------------
let published = 0;
const seeds = demoStations(stationCount, { prefix: `EV${prefix.slice(-6)}`, slots: 12, fill: 0.6 });
await stack.provisionStations(seeds);
const simulator = createSimulator({
  mqttUrl: env.MQTT_URL,
  topicRoot: prefix,
  stations: seeds,
  heartbeatIntervalMs: heartbeatMs,
  connectBatchSize: 250,
  onPublished: () => {
    published += 1;
  },
});
const bootStarted = Date.now();
await simulator.start();
log(`${stationCount} stations connected in ${Date.now() - bootStarted} ms`);

// Slot traffic next to the heartbeats: power banks taken out and put back.
const serials = demoStations(stationCount, { prefix: `EV${prefix.slice(-6)}` }).map((s) => s.sn);
let slotTick = 0;
const slotTimer = setInterval(() => {
  for (let i = 0; i < slotEventsPerS / 10; i++) {
    const sn = serials[(slotTick * 7919 + i * 104729) % serials.length]!;
    const slot = ((slotTick + i) % 12) + 1;
    const view = simulator.station(sn);
    const target = view.slots.find((s) => s.slot === slot);
    if (!view.connected || !target) continue;
    const action = target.powerBank
      ? simulator.remove(sn, slot)
      : simulator.insert(sn, slot, `${sn}-R${slotTick % 1000}-${slot}`, 50 + (slotTick % 50));
    action.catch(() => undefined);
  }
  slotTick += 1;
}, 100);

await new Promise((r) => setTimeout(r, warmupS * 1000));
log(`warm-up done (${published} published, ${persistedIds.size} persisted); measuring ${durationS} s`);
const windowStart = Date.now();
window = { from: windowStart, to: windowStart + durationS * 1000 };
const publishedBefore = published;
await new Promise((r) => setTimeout(r, durationS * 1000));
const windowS = (Date.now() - windowStart) / 1000;
const publishedInWindow = published - publishedBefore;
clearInterval(slotTimer);
await simulator.stop();

// Everything published must arrive; give the pipeline time to drain.
const drainDeadline = Date.now() + 60_000;
while (persistedIds.size < published && Date.now() < drainDeadline)
  await new Promise((r) => setTimeout(r, 250));
const persisted = persistedIds.size;
const lost = published - persisted;

const sorted = latencies.sort((a, b) => a - b);
const figures = {
  bench: 'events',
  stations: stationCount,
  heartbeat_ms: heartbeatMs,
  window_s: Math.round(windowS),
  offered_per_s: Math.round(publishedInWindow / windowS),
  events_per_s: Math.round(persistedInWindow / windowS),
  p50_ms: percentile(sorted, 50),
  p99_ms: percentile(sorted, 99),
  max_ms: sorted.at(-1) ?? 0,
  published,
  persisted,
  lost,
};
console.log(
  [
    '',
    `stations              ${stationCount} (heartbeat every ${heartbeatMs} ms, ~${slotEventsPerS} slot events/s)`,
    `offered               ${figures.offered_per_s} events/s`,
    `persisted             ${figures.events_per_s} events/s`,
    `latency p50 / p99     ${figures.p50_ms} / ${figures.p99_ms} ms (max ${figures.max_ms})`,
    `published / persisted ${published} / ${persisted}  → lost ${lost}`,
    '',
  ].join('\n'),
);
console.log(JSON.stringify(figures));

// ---- clean up ----------------------------------------------------------------------------------
await stack.cleanUp(nats);
await nats.close();
process.exit(lost === 0 ? 0 : 1);
