/**
 * `pnpm bench:bridge`: the bridge's hop alone — stations publish heartbeats (QoS 1) to Mosquitto,
 * one mqtt-bridge process relays them to JetStream — and the CPU it spends per event. The load is
 * offered at a fixed rate from this process until `--events` were published; the window ends when
 * the stream holds them all. Prints a table, then ONE JSON line with `events_per_s`,
 * `offered_per_s`, `bridge_cpu_ms_per_event` (and nats/mosquitto's), `stored`, `lost`.
 *
 *   pnpm bench:bridge [--events 60000] [--rate 3000] [--stations 200] [--bridge-connections 4]
 *
 * Defaults take about 30 s (20 s of load). Run it without the dev stack's bridge on the same
 * broker root (it uses a topic root of its own, so a running dev stack only adds noise).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectMqtt, connectNats, type MqttClient } from '@powerbank/messaging';
import { stationTopics, subjects as subjectsFor } from '@powerbank/protocol';
import { benchStack, freePort } from './bench-stack.ts';
import { cpuWindow, pidsNamed } from './process-cpu.ts';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '60000' },
    rate: { type: 'string', default: '3000' },
    stations: { type: 'string', default: '200' },
    'bridge-connections': { type: 'string', default: '4' },
  },
});
const events = Number(args.events);
const rate = Number(args.rate);
const stationCount = Number(args.stations);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const stack = benchStack('bench:bridge', 'pb_bench_bridge', 'bb');
const { env, prefix, log, startService, waitFor } = stack;
await stack.freshDatabase();
await stack.brokerAccounts();
const bridgePort = await freePort();
const bridge = startService('mqtt-bridge', 'services/mqtt-bridge/src/main.ts', {
  BRIDGE_SHARE_GROUP: prefix,
  MQTT_CLIENT_ID: `${prefix}-bridge`,
  BRIDGE_METRICS_PORT: String(bridgePort),
  BRIDGE_CONNECTIONS: args['bridge-connections'],
  DB_POOL_MIN: '0',
  DB_POOL_MAX: '2',
});
await waitFor(`http://127.0.0.1:${bridgePort}/metrics`);

const topics = stationTopics(prefix);
const subjects = subjectsFor(prefix);
const stations = Array.from({ length: stationCount }, (_, i) => ({
  sn: `BB${prefix.slice(-6)}${String(i + 1).padStart(4, '0')}`,
  password: undefined as string | undefined,
}));
await stack.provisionStations(stations.map((s) => ({ ...s, slotCount: 4, powerBanks: [] })));
const clients: MqttClient[] = await Promise.all(
  stations.map((s) =>
    connectMqtt(env.MQTT_URL, {
      clientId: s.sn,
      ...(s.password ? { username: s.sn, password: s.password } : {}),
    }),
  ),
);
const nats = await connectNats(env.NATS_URL, 'bench-bridge');
const jsm = await jetstreamManager(nats);
const stored = async () => (await jsm.streams.info(subjects.stationEventsStream)).state.messages;
log(`bridge up; ${stationCount} stations; publishing ${events} heartbeats at ${rate}/s`);

const cpu = cpuWindow({
  'mqtt-bridge': () => (bridge.pid === undefined ? [] : [bridge.pid]),
  nats: () => pidsNamed('nats-server'),
  mosquitto: () => pidsNamed('mosquitto'),
});
cpu.start();
const started = performance.now();
let published = 0;
const seqs = new Array<number>(stationCount).fill(0);
// Every 10 ms, what the rate owes by now; each publish awaits the broker's PUBACK, many in flight.
const inFlight = new Set<Promise<unknown>>();
while (published < events) {
  const due = Math.min(events, Math.floor(((performance.now() - started) / 1000) * rate));
  for (; published < due; published++) {
    const i = published % stationCount;
    seqs[i]! += 1;
    const body = JSON.stringify({
      v: 1,
      kind: 'heartbeat',
      msgId: randomUUID(),
      seq: seqs[i],
      ts: Date.now(),
      uptimeS: 1,
    });
    const sent = clients[i]!.publishAsync(topics.up(stations[i]!.sn, 'heartbeat'), body, { qos: 1 });
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  }
  await sleep(10);
}
const offeredS = (performance.now() - started) / 1000;
await Promise.all(inFlight);
// Done when all are stored, or nothing more arrived for 5 s (the rest never will: `lost`).
let storedCount = await stored();
let lastGrowth = performance.now();
while (storedCount < events && performance.now() - lastGrowth < 5000) {
  await sleep(20);
  const now = await stored();
  if (now > storedCount) lastGrowth = performance.now();
  storedCount = now;
}
const windowS = (lastGrowth - started) / 1000;
const used = cpu.stop();
const perEvent = (seconds: number | undefined) =>
  Number((((seconds ?? 0) * 1000) / Math.max(1, storedCount)).toFixed(4));

const result = {
  events: published,
  stored: storedCount,
  lost: published - storedCount,
  offered_per_s: Math.round(published / offeredS),
  events_per_s: Math.round(storedCount / windowS),
  bridge_cpu_ms_per_event: perEvent(used['mqtt-bridge']),
  nats_cpu_ms_per_event: perEvent(used.nats),
  mosquitto_cpu_ms_per_event: perEvent(used.mosquitto),
  bridge_connections: Number(args['bridge-connections']),
};
console.table(result);
await Promise.all(clients.map((c) => c.endAsync()));
await stack.cleanUp(nats);
await nats.close();
console.log(JSON.stringify(result));
process.exit(0);
