import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseConfig, simulatorEnv } from '@powerbank/config';
import { demoStations } from './demo-stations.ts';
import type { StationSeed } from './simulated-station.ts';
import { createSimulator, type SimulatorCounters } from './simulator.ts';

const usage = `station-simulator: N stations speaking the station protocol over MQTT

  --stations N         number of stations (default 10)
  --stations-file F    stations from a JSON file [{ sn, slotCount, powerBanks: [{ slot, serial, battery }] }]
                       (what \`pnpm --filter @powerbank/db export:stations\` writes), instead of generated ones
  --prefix SN          serial number prefix (default SIM)
  --slots N            slots per station (default 8)
  --eject-fail-rate R  share of ejects that fail, 0-1 (default 0)
  --eject-delay-ms MS  time to release a power bank (default 500)
  --heartbeat-ms MS    heartbeat interval (default 30000)
  --charge-per-min P   battery percent gained per minute (default 1)
  --connect-batch N    connections opened at once (default 200)
  --auto-return-ms MIN-MAX
                       load tests: each power bank an eject released comes back into the same station
                       after a random MIN..MAX ms (e.g. 2000-8000); off by default
  --overtake           hostile: every eject result and slot event reaches the broker after a newer
                       heartbeat (out of order, as parallel bridge connections can deliver them)
  --mqtt URL           broker (default MQTT_URL, else mqtt://127.0.0.1:1883)
  --progress-ms MS     progress line interval (default 5000)`;

const { values } = parseArgs({
  options: {
    stations: { type: 'string', default: '10' },
    'stations-file': { type: 'string' },
    prefix: { type: 'string', default: 'SIM' },
    slots: { type: 'string', default: '8' },
    'eject-fail-rate': { type: 'string', default: '0' },
    'eject-delay-ms': { type: 'string', default: '500' },
    'heartbeat-ms': { type: 'string', default: '30000' },
    'charge-per-min': { type: 'string', default: '1' },
    'connect-batch': { type: 'string', default: '200' },
    'progress-ms': { type: 'string', default: '5000' },
    'auto-return-ms': { type: 'string' },
    overtake: { type: 'boolean', default: false },
    mqtt: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(usage);
  process.exit(0);
}

function numberFlag(name: keyof typeof values, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} must be a number between ${min} and ${max}, got "${values[name]}"\n\n${usage}`);
    process.exit(2);
  }
  return n;
}

function rangeFlag(name: 'auto-return-ms'): { min: number; max: number } | undefined {
  const text = values[name];
  if (text === undefined || text === '') return undefined;
  const match = /^(\d+)-(\d+)$/.exec(text);
  const [min, max] = match ? [Number(match[1]), Number(match[2])] : [Number.NaN, Number.NaN];
  if (!(min <= max)) {
    console.error(`--${name} must be MIN-MAX in ms with MIN <= MAX, got "${text}"\n\n${usage}`);
    process.exit(2);
  }
  return { min, max };
}

const env = parseConfig(simulatorEnv, values.mqtt ? { ...process.env, MQTT_URL: values.mqtt } : process.env);
// The dev stack simulates the stations the database was seeded with, power banks included.
const stations: StationSeed[] = values['stations-file']
  ? (JSON.parse(readFileSync(values['stations-file'], 'utf8')) as StationSeed[])
  : demoStations(numberFlag('stations', 1, 100_000), {
      prefix: values.prefix,
      slots: numberFlag('slots', 1, 64),
    });
const stationCount = stations.length;
const simulator = createSimulator({
  mqttUrl: env.MQTT_URL,
  topicRoot: env.MQTT_TOPIC_ROOT,
  stations,
  ejectFailureRate: numberFlag('eject-fail-rate', 0, 1),
  ejectDelayMs: numberFlag('eject-delay-ms', 0),
  heartbeatIntervalMs: numberFlag('heartbeat-ms', 100),
  chargePerMinute: numberFlag('charge-per-min', 0, 100),
  overtake: values.overtake,
  autoReturnMs: rangeFlag('auto-return-ms'),
  connectBatchSize: numberFlag('connect-batch', 1),
});

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const describe = (c: SimulatorCounters) =>
  `published ${total(c.published)} (${Object.entries(c.published)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}); commands ${total(c.commandsReceived)}; errors ${c.publishErrors}`;

const startedAt = Date.now();
let lastPublished = 0;
const progress = setInterval(
  () => {
    const published = total(simulator.counters.published);
    const seconds = numberFlag('progress-ms', 100) / 1000;
    console.log(
      `[${Math.round((Date.now() - startedAt) / 1000)}s] ${simulator.connectedCount}/${stationCount} online, ` +
        `${Math.round((published - lastPublished) / seconds)} msg/s, ${describe(simulator.counters)}`,
    );
    lastPublished = published;
  },
  numberFlag('progress-ms', 100),
);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(progress);
  await simulator.stop();
  console.log(`stopped: ${describe(simulator.counters)}`);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

console.log(`connecting ${stationCount} stations to ${env.MQTT_URL}…`);
simulator.start().then(
  () => console.log(`${simulator.connectedCount} stations online in ${Date.now() - startedAt} ms`),
  (error: unknown) => {
    console.error(`simulator failed to start: ${(error as Error).message}`);
    process.exit(1);
  },
);
