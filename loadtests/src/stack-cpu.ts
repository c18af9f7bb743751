/**
 * `pnpm k6:cpu`: where the CPU of a k6 run against the dev stack goes. Run it beside k6 (another
 * terminal, or `&`): it waits `--wait` seconds (past k6's ramp), then reads, over `--seconds`, the
 * CPU of each process of `bash infra/up` (by its pid file), of the stack database's Postgres
 * backends, of nats-server, mosquitto and k6, and how many requests the api answered (its
 * `/metrics`). Prints each group's CPU seconds, cores and milliseconds per request, then ONE JSON
 * line. On a shared machine, judge by the milliseconds per request, not by latencies.
 *
 *   pnpm k6:cpu [--wait 65] [--seconds 60] [--api http://127.0.0.1:3000]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuWindow, pidsNamed } from './process-cpu.ts';

const { values: args } = parseArgs({
  // `pnpm k6:cpu -- --wait 0` hands the `--` on.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    wait: { type: 'string', default: '65' },
    seconds: { type: 'string', default: '60' },
    api: { type: 'string', default: 'http://127.0.0.1:3000' },
  },
});
const sleep = (s: number) => new Promise((resolve) => setTimeout(resolve, s * 1000));
const pidsDir = join(import.meta.dirname, '../../.data/pids');
const database = new URL(process.env.DATABASE_URL ?? 'postgres://127.0.0.1/powerbank').pathname.slice(1);

/** The services `infra/up` started (`app-<name>.pid`), each a group of its own. */
function serviceGroups(): Record<string, () => number[]> {
  const groups: Record<string, () => number[]> = {};
  for (const file of readdirSync(pidsDir).filter((f) => /^app-.+\.pid$/.test(f))) {
    const pid = Number(readFileSync(join(pidsDir, file), 'utf8').trim());
    groups[file.slice('app-'.length, -'.pid'.length)] = () => [pid];
  }
  return groups;
}

/** Postgres backends serving the stack's database: their process title names it. */
const backendsOfDatabase = () =>
  pidsNamed('postgres').filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(' ').includes(database);
    } catch {
      return false;
    }
  });

/** Requests the api has answered (every route and status of its request histogram). */
async function apiRequests(): Promise<number> {
  const text = await (await fetch(`${args.api}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('http_request_duration_seconds_count')) total += Number(line.split(' ').pop());
  }
  return total;
}

await sleep(Number(args.wait));
const window = cpuWindow({
  ...serviceGroups(),
  [`postgres (${database})`]: backendsOfDatabase,
  nats: () => pidsNamed('nats-server'),
  mosquitto: () => pidsNamed('mosquitto'),
  k6: () => pidsNamed('k6'),
});
const requestsBefore = await apiRequests();
const started = performance.now();
window.start();
await sleep(Number(args.seconds));
const used = window.stop();
const seconds = (performance.now() - started) / 1000;
const requests = (await apiRequests()) - requestsBefore;

const perRequest = (cpu: number) => (requests ? (cpu * 1000) / requests : 0);
const stack = Object.entries(used)
  .filter(([group]) => group !== 'k6')
  .reduce((sum, [, cpu]) => sum + cpu, 0);
console.log(`${requests} requests in ${seconds.toFixed(1)} s (${(requests / seconds).toFixed(1)}/s)`);
for (const [group, cpu] of [...Object.entries(used), ['stack (all but k6)', stack] as const].sort(
  (a, b) => b[1] - a[1],
)) {
  console.log(
    `${group.padEnd(24)} ${cpu.toFixed(2).padStart(7)} s  ${(cpu / seconds).toFixed(2)} cores  ${perRequest(cpu).toFixed(3)} ms/request`,
  );
}
console.log(
  JSON.stringify({
    seconds: Number(seconds.toFixed(1)),
    requests,
    requests_per_s: Number((requests / seconds).toFixed(1)),
    cpu_ms_per_request: Object.fromEntries(
      [...Object.entries(used), ['stack', stack] as const].map(([group, cpu]) => [
        group,
        Number(perRequest(cpu).toFixed(3)),
      ]),
    ),
  }),
);
