/**
 * `pnpm bench:analytics`: every analytics report over 30-day ranges of the large data set — a
 * calendar month and ranges across a month's end — read from the materialised views as the api
 * does (`runReport`), next to the same report computed by a plain aggregate query over the base
 * tables (analytics-plain.ts): the views' p50 and p99 over `--runs` runs, the plain query's over
 * `--plain-runs` (each after warm-up runs), the speedup (plain p50 / view p99: the plain query's
 * usual time against the view's worst), the CPU of a run on each side (this process and the
 * database backends serving it: `cpu_ms`, `plain_cpu_ms`, `cpu_ratio`) and whether both gave the
 * same rows. Refreshes the views first (timed). Prints a line per report and range, then ONE
 * JSON line: `reports` (per report, its worst p99 and speedup and each range's figures),
 * `worst_p99_ms`, `worst_speedup`.
 *
 *   pnpm bench:analytics [--runs 50] [--plain-runs 10] [--ranges 2026-11-01..2026-11-30,2026-10-17..2026-11-15]
 *                        [--database-url postgres://…/pb_large]
 *                        [--stations 100000] [--users 1000000] [--rentals 1000000]   (smaller for a quick run)
 *                        [--only stations,dues] [--skip-refresh]   (while iterating)
 *
 * The data set lives in the benchmarks' database (`pb_large`); what is missing is generated
 * first (rentals and payments over the 90 days before 2026-12-01), with progress.
 */
import { parseArgs } from 'node:util';
import {
  createProgress,
  defaultLargeDatabaseUrl,
  describeDatabaseUrl,
  ensureLargeDataSet,
  LARGE_DATA_SET,
  openOrm,
  refreshAnalytics,
  sqlRows,
} from '@powerbank/db';
import { runReport } from '../../services/api/src/modules/admin/analytics/analytics.service.ts';
import { plainReport } from '../../services/api/src/modules/admin/analytics/analytics-plain.ts';
import {
  REPORTS,
  type Report,
  type ReportName,
} from '../../services/api/src/modules/admin/analytics/analytics-reports.ts';
import { cpuSeconds } from './process-cpu.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    runs: { type: 'string', default: '50' },
    'plain-runs': { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    /**
     * `from..to`, comma-separated: the last whole month of the generated 90 days, and 30 days
     * across each of its month ends (no whole month: weeks and days of the station view).
     */
    ranges: {
      type: 'string',
      default: '2026-11-01..2026-11-30,2026-10-17..2026-11-15,2026-09-16..2026-10-15',
    },
    limit: { type: 'string', default: '100' },
    /** Measure the views as they are (iterating on the queries; the figures of the last refresh). */
    'skip-refresh': { type: 'boolean', default: false },
    /** Report paths to run, comma-separated (all by default). */
    only: { type: 'string' },
    'database-url': { type: 'string' },
    stations: { type: 'string', default: String(LARGE_DATA_SET.stations) },
    users: { type: 'string', default: String(LARGE_DATA_SET.users) },
    rentals: { type: 'string', default: String(LARGE_DATA_SET.rentals) },
  },
});
const runs = Number(args.runs);
const plainRuns = Number(args['plain-runs']);
const only = args.only ? new Set(args.only.split(',')) : null;
const warmup = Number(args.warmup);
const ranges = args.ranges.split(',').map((range) => {
  const [from = '', to = ''] = range.split('..');
  return { from, to, limit: Number(args.limit) };
});
const databaseUrl = args['database-url'] ?? defaultLargeDatabaseUrl();
const scale = { stations: Number(args.stations), users: Number(args.users), rentals: Number(args.rentals) };

/** Nearest-rank percentile of milliseconds. */
function percentile(ms: number[], p: number): number {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * `work` run `times` times after the warm-up runs: each run's milliseconds, and the CPU of a run
 * (this process's and the database backends' serving it, /proc; on this machine, so the figure
 * holds with other load on it, which latency does not). Parallel query workers are not counted
 * (they come and go within a statement): the plain aggregates' CPU is a lower bound.
 */
async function timed<T>(
  times: number,
  work: () => Promise<T>,
): Promise<{ ms: number[]; last: T; cpuMs: number }> {
  let last: T | undefined;
  for (let i = 0; i < warmup; i += 1) last = await work();
  // The pool's connections are open after the warm-up (a report reads on two at once).
  const backends = (
    await sqlRows<{ pid: number }>(
      orm.em.fork(),
      `select pid from pg_stat_activity where datname = current_database()`,
    )
  ).map((row) => row.pid);
  const before = new Map(backends.map((pid) => [pid, cpuSeconds(pid)]));
  const node = process.cpuUsage();
  const ms: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const started = performance.now();
    last = await work();
    ms.push(performance.now() - started);
  }
  // A backend gone since (none should: the pool keeps them a minute) takes its CPU with it.
  const backendSeconds = backends.reduce((sum, pid) => {
    const [was, is] = [before.get(pid), cpuSeconds(pid)];
    return was === undefined || is === undefined ? sum : sum + is - was;
  }, 0);
  const nodeUsed = process.cpuUsage(node);
  const cpuMs = ((nodeUsed.user + nodeUsed.system) / 1000 + backendSeconds * 1000) / times;
  return { ms, last: last as T, cpuMs };
}

const progress = createProgress();
progress.line(
  `analytics benchmark on ${describeDatabaseUrl(databaseUrl)}, ${args.ranges}, ${runs} runs (plain ${plainRuns})`,
);
const have = await ensureLargeDataSet(databaseUrl, scale, progress);
const orm = await openOrm({
  DATABASE_URL: databaseUrl,
  DB_POOL_MIN: 0,
  DB_POOL_MAX: 2,
  // Connections kept between runs: their backends' CPU is what a run is charged.
  DB_POOL_IDLE_MS: 120_000,
});
try {
  const refreshStarted = performance.now();
  if (!args['skip-refresh']) await refreshAnalytics(orm);
  const refreshS = (performance.now() - refreshStarted) / 1000;
  progress.line(`views refreshed in ${refreshS.toFixed(1)}s`);

  type Figures = Record<string, number | boolean>;
  const reports: Record<
    string,
    { worst_p99_ms: number; worst_speedup: number; ranges: Record<string, Figures> }
  > = {};
  for (const name of Object.keys(REPORTS) as ReportName[]) {
    const report: Report = REPORTS[name];
    if (only && !only.has(report.path)) continue;
    const byRange: Record<string, Figures> = {};
    for (const range of ranges) {
      const input = report.input.parse(name === 'stations' ? range : { from: range.from, to: range.to }) as {
        from: string;
        to: string;
      };
      const view = await timed(runs, () => runReport(orm.em.fork(), report, input));
      const plain = await timed(plainRuns, () => plainReport(orm.em.fork(), name, range));
      const p99 = percentile(view.ms, 99);
      const figures = {
        rows: view.last.rows.length,
        p50_ms: round(percentile(view.ms, 50)),
        p99_ms: round(p99),
        plain_p50_ms: round(percentile(plain.ms, 50)),
        plain_p99_ms: round(percentile(plain.ms, 99)),
        speedup: Math.round((percentile(plain.ms, 50) / p99) * 10) / 10,
        cpu_ms: round(view.cpuMs),
        plain_cpu_ms: round(plain.cpuMs),
        cpu_ratio: Math.round((plain.cpuMs / view.cpuMs) * 10) / 10,
        same_rows: JSON.stringify(view.last.rows) === JSON.stringify(plain.last),
      };
      byRange[`${range.from}..${range.to}`] = figures;
      progress.line(
        `${report.path.padEnd(24)} ${range.from}..${range.to} view p50 ${figures.p50_ms} ms p99 ${figures.p99_ms} ms | ` +
          `plain p50 ${figures.plain_p50_ms} ms p99 ${figures.plain_p99_ms} ms | ` +
          `×${figures.speedup} | CPU ${figures.cpu_ms} / ${figures.plain_cpu_ms} ms a run | ${figures.rows} rows, same: ${figures.same_rows}`,
      );
    }
    const figures = Object.values(byRange);
    reports[report.path] = {
      worst_p99_ms: Math.max(...figures.map((f) => Number(f.p99_ms))),
      worst_speedup: Math.min(...figures.map((f) => Number(f.speedup))),
      ranges: byRange,
    };
  }
  const all = Object.values(reports);
  console.log(
    JSON.stringify({
      bench: 'analytics',
      scale: have,
      runs,
      plain_runs: plainRuns,
      refresh_s: Math.round(refreshS * 10) / 10,
      reports,
      worst_p99_ms: Math.max(...all.map((r) => r.worst_p99_ms)),
      worst_speedup: Math.min(...all.map((r) => r.worst_speedup)),
      all_same_rows: all.every((r) => Object.values(r.ranges).every((f) => f.same_rows === true)),
    }),
  );
} finally {
  await orm.close();
}
