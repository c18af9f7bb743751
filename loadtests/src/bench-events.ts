/**
 * `pnpm bench:events`: simulated stations → Mosquitto → mqtt-bridge → JetStream
 * → station-core → Postgres, every part real, bridge and core in their own
 * processes (`--core-instances` of station-core sharing `--partitions` partitions by
 * lease). Measures events persisted per second, latency from the moment a
 * simulated station built a message (its `ts`) to the commit of the transition in
 * station-core, the CPU each process of the chain spent per persisted event, and
 * events lost: never persisted and not waiting in JetStream either (what still
 * waits there after the drain is the `backlog`). Prints a table, then ONE JSON line.
 * The defaults are the issue's target: 10,000 stations, 1 s heartbeats, 3 core instances.
 *
 *   pnpm bench:events [--stations 10000] [--heartbeat-ms 1000] [--duration 30] [--warmup 5]
 *                     [--slot-events-per-s 100] [--bridge-connections 16]
 *                     [--core-instances 3] [--partitions 12]
 *
 * Run it without the dev stack (infra/down): the dev bridge would relay the
 * benchmark's stations too. It uses a database of its own, `pb_bench_events`.
 */

import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats } from '@powerbank/messaging';
import { subjects as subjectsFor } from '@powerbank/protocol';
import { createSimulator, demoStations } from '@powerbank/station-simulator';
import { benchStack, freePort, percentile } from './bench-stack.ts';
import { cpuWindow, pidsNamed } from './process-cpu.ts';

const { values: args } = parseArgs({
  options: {
    stations: { type: 'string', default: '10000' },
    'heartbeat-ms': { type: 'string', default: '1000' },
    duration: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    'slot-events-per-s': { type: 'string', default: '100' },
    'bridge-connections': { type: 'string', default: '16' },
    'core-instances': { type: 'string', default: '3' },
    partitions: { type: 'string', default: '12' },
  },
});
const coreInstances = Number(args['core-instances']);
const partitions = Number(args.partitions);
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
const bridgeProcess = startService('mqtt-bridge', 'services/mqtt-bridge/src/main.ts', {
  CORE_PARTITIONS: String(partitions),
  BRIDGE_SHARE_GROUP: prefix,
  MQTT_CLIENT_ID: `${prefix}-bridge`,
  BRIDGE_METRICS_PORT: String(bridgePort),
  BRIDGE_CONNECTIONS: args['bridge-connections'],
  DB_POOL_MIN: '0',
  DB_POOL_MAX: '4',
});
const coreProcesses: ChildProcess[] = [];
for (let i = 1; i <= coreInstances; i += 1) {
  const corePort = await freePort();
  coreProcesses.push(
    startService(`station-core-${i}`, 'services/station-core/src/main.ts', {
      CORE_METRICS_PORT: String(corePort),
      CORE_TRACE_PROCESSED: 'true',
      CORE_PARTITIONS: String(partitions),
      CORE_INSTANCE_ID: `bench-core-${i}`,
      // Heartbeats in this benchmark come every second or faster; the watchdog is not what is measured.
      HEARTBEAT_INTERVAL_S: '600',
      DB_POOL_MIN: '2',
      DB_POOL_MAX: String(Math.max(5, Math.ceil(10 / coreInstances) + 4)),
    }),
  );
  await waitFor(`http://127.0.0.1:${corePort}/health`);
}
await waitFor(`http://127.0.0.1:${bridgePort}/metrics`);
log(`bridge and ${coreInstances} station-core instances are up (${partitions} partitions)`);

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
// Every process of the chain, so a run says where each event's CPU went; the runner (this process:
// the simulated stations) is reported apart, as it is the stations, not the platform.
const pidOf = (child: ChildProcess) => (child.pid === undefined ? [] : [child.pid]);
const chain = {
  'station-core': () => coreProcesses.flatMap(pidOf),
  'mqtt-bridge': () => pidOf(bridgeProcess),
  postgres: () => pidsNamed('postgres'),
  nats: () => pidsNamed('nats-server'),
  mosquitto: () => pidsNamed('mosquitto'),
};
const cpu = cpuWindow({ ...chain, runner: () => [process.pid] });
const windowStart = Date.now();
window = { from: windowStart, to: windowStart + durationS * 1000 };
const publishedBefore = published;
cpu.start();
await new Promise((r) => setTimeout(r, durationS * 1000));
const cpuUsed = cpu.stop();
const windowS = (Date.now() - windowStart) / 1000;
const publishedInWindow = published - publishedBefore;
clearInterval(slotTimer);
await simulator.stop();

// Everything published must arrive; give the pipeline time to drain.
const drainDeadline = Date.now() + 60_000;
while (persistedIds.size < published && Date.now() < drainDeadline)
  await new Promise((r) => setTimeout(r, 250));
const persisted = persistedIds.size;
// Told apart: what JetStream still holds for the consumers (stored, not yet acknowledged) is a
// backlog still draining; only what is neither persisted nor there is lost.
const subjects = subjectsFor(prefix, partitions);
const jsm = await jetstreamManager(nats);
let backlog = 0;
for await (const consumer of jsm.consumers.list(subjects.stationEventsStream))
  backlog += consumer.num_pending + consumer.num_ack_pending;
const lost = Math.max(0, published - persisted - backlog);
const perEvent = (seconds: number) =>
  persistedInWindow ? Number(((seconds * 1000) / persistedInWindow).toFixed(3)) : 0;
const cpuByProcess = Object.fromEntries(Object.entries(cpuUsed).map(([group, s]) => [group, perEvent(s)]));
const chainCpu = Object.keys(chain).reduce((sum, group) => sum + (cpuUsed[group] ?? 0), 0);

const sorted = latencies.sort((a, b) => a - b);
const figures = {
  bench: 'events',
  stations: stationCount,
  heartbeat_ms: heartbeatMs,
  core_instances: coreInstances,
  partitions,
  window_s: Math.round(windowS),
  offered_per_s: Math.round(publishedInWindow / windowS),
  events_per_s: Math.round(persistedInWindow / windowS),
  p50_ms: percentile(sorted, 50),
  p99_ms: percentile(sorted, 99),
  max_ms: sorted.at(-1) ?? 0,
  cpu_ms_per_event: perEvent(chainCpu),
  cpu_ms_per_event_by_process: cpuByProcess,
  published,
  persisted,
  backlog,
  lost,
};
console.log(
  [
    '',
    `stations              ${stationCount} (heartbeat every ${heartbeatMs} ms, ~${slotEventsPerS} slot events/s)`,
    `offered               ${figures.offered_per_s} events/s`,
    `persisted             ${figures.events_per_s} events/s`,
    `latency p50 / p99     ${figures.p50_ms} / ${figures.p99_ms} ms (max ${figures.max_ms})`,
    `CPU per event (ms)    ${figures.cpu_ms_per_event} (${Object.entries(cpuByProcess)
      .map(([group, ms]) => `${group} ${ms}`)
      .join(', ')})`,
    `core instances        ${coreInstances} (${partitions} partitions)`,
    `published / persisted ${published} / ${persisted}  → backlog ${backlog}, lost ${lost}`,
    '',
  ].join('\n'),
);
console.log(JSON.stringify(figures));

// ---- clean up ----------------------------------------------------------------------------------
await stack.cleanUp(nats);
await nats.close();
process.exit(lost === 0 ? 0 : 1);
