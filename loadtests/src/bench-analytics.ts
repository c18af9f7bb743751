/**
 * `pnpm bench:analytics`: every analytics report over a 30-day range of the large data set,
 * read from the materialised views as the api does (`runReport`), next to the same report
 * computed by a plain aggregate query over the base tables (analytics-baseline.ts): p50 and
 * p99 over `--runs` runs each (after warm-up runs), the speedup (plain p99 / view p99), and
 * whether both gave the same rows. Refreshes the views first (timed). Prints a table, then ONE
 * JSON line: `reports`, `worst_p99_ms`, `worst_speedup`.
 *
 *   pnpm bench:analytics [--runs 50] [--from 2026-11-01] [--to 2026-11-30] [--database-url postgres://…/pb_large]
 *                        [--stations 100000] [--users 1000000] [--rentals 1000000]   (smaller for a quick run)
 *                        [--only stations,dues]   (some reports while iterating)
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
import {
  REPORTS,
  type Report,
  type ReportName,
} from '../../services/api/src/modules/admin/analytics/analytics-reports.ts';
import { PLAIN_REPORTS } from './analytics-baseline.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    runs: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    from: { type: 'string', default: '2026-11-01' },
    to: { type: 'string', default: '2026-11-30' },
    limit: { type: 'string', default: '100' },
    /** Report paths to run, comma-separated (all by default). */
    only: { type: 'string' },
    'database-url': { type: 'string' },
    stations: { type: 'string', default: String(LARGE_DATA_SET.stations) },
    users: { type: 'string', default: String(LARGE_DATA_SET.users) },
    rentals: { type: 'string', default: String(LARGE_DATA_SET.rentals) },
  },
});
const runs = Number(args.runs);
const only = args.only ? new Set(args.only.split(',')) : null;
const warmup = Number(args.warmup);
const input = { from: args.from, to: args.to, limit: Number(args.limit) };
const databaseUrl = args['database-url'] ?? defaultLargeDatabaseUrl();
const scale = { stations: Number(args.stations), users: Number(args.users), rentals: Number(args.rentals) };

/** Nearest-rank percentile of milliseconds. */
function percentile(ms: number[], p: number): number {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
const round = (ms: number) => Math.round(ms * 100) / 100;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number[]; last: T }> {
  let last: T | undefined;
  for (let i = 0; i < warmup; i += 1) last = await work();
  const ms: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    last = await work();
    ms.push(performance.now() - started);
  }
  return { ms, last: last as T };
}

const progress = createProgress();
progress.line(
  `analytics benchmark on ${describeDatabaseUrl(databaseUrl)}, ${input.from}..${input.to}, ${runs} runs`,
);
const have = await ensureLargeDataSet(databaseUrl, scale, progress);
const orm = await openOrm({
  DATABASE_URL: databaseUrl,
  DB_POOL_MIN: 0,
  DB_POOL_MAX: 2,
  DB_POOL_IDLE_MS: 10_000,
});
try {
  const refreshStarted = performance.now();
  await refreshAnalytics(orm);
  const refreshS = (performance.now() - refreshStarted) / 1000;
  progress.line(`views refreshed in ${refreshS.toFixed(1)}s`);

  const reports: Record<string, Record<string, number | boolean>> = {};
  for (const name of Object.keys(REPORTS) as ReportName[]) {
    const report: Report = REPORTS[name];
    if (only && !only.has(report.path)) continue;
    const view = await timed(() => runReport(orm.em.fork(), report, input));
    const values = name === 'stations' ? [input.from, input.to, input.limit] : [input.from, input.to];
    const plain = await timed(() =>
      sqlRows<Record<string, unknown>>(orm.em.fork(), PLAIN_REPORTS[name], values),
    );
    const plainRows = plain.last.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v]),
      ),
    );
    const p99 = percentile(view.ms, 99);
    const plainP99 = percentile(plain.ms, 99);
    reports[report.path] = {
      rows: view.last.rows.length,
      p50_ms: round(percentile(view.ms, 50)),
      p99_ms: round(p99),
      plain_p50_ms: round(percentile(plain.ms, 50)),
      plain_p99_ms: round(plainP99),
      speedup: Math.round((plainP99 / p99) * 10) / 10,
      same_rows: JSON.stringify(view.last.rows) === JSON.stringify(plainRows),
    };
    progress.line(
      `${report.path.padEnd(24)} view p50 ${round(percentile(view.ms, 50))} ms p99 ${round(p99)} ms | ` +
        `plain p50 ${round(percentile(plain.ms, 50))} ms p99 ${round(plainP99)} ms | ` +
        `×${reports[report.path]?.speedup} | ${view.last.rows.length} rows, same: ${reports[report.path]?.same_rows}`,
    );
  }
  const all = Object.values(reports);
  console.log(
    JSON.stringify({
      bench: 'analytics',
      scale: have,
      range: { from: input.from, to: input.to },
      runs,
      refresh_s: Math.round(refreshS * 10) / 10,
      reports,
      worst_p99_ms: Math.max(...all.map((r) => Number(r.p99_ms))),
      worst_speedup: Math.min(...all.map((r) => Number(r.speedup))),
      all_same_rows: all.every((r) => r.same_rows === true),
    }),
  );
} finally {
  await orm.close();
}
