/**
 * `pnpm bench:market`: the marketplace's two hot paths over the generated catalogue
 * (`bench:generate`'s marketplace part, in pb_large; generated here first when missing):
 *  (a) search — text + category subtree + "available between" — through the api's own search
 *      function at `--connections` concurrent callers (one pool connection each), p50/p99;
 *  (b) checkouts per second on distinct items through the api's own checkout (reserve: the
 *      generated users' wallets are empty), next to the same statements run raw by pgbench
 *      (market-raw-script.ts: the service's compiled queries through `textWith`).
 * Prints progress, then ONE JSON line: search_p50_ms, search_p99_ms, checkouts_per_s, raw_tps, ratio.
 *
 *   pnpm bench:market [--products 100000] [--items 500000] [--orders 1000000] [--users 100000]
 *                     [--connections 50] [--workers 8] [--duration 10] [--search-only]
 *
 * `--search-only`: part (a) alone (no checkouts, no pgbench), for measuring a search change.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { commonEnv, parseConfig } from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { connectNats } from '@powerbank/messaging';
import pino from 'pino';
import { generateLargeDataSet } from '../../packages/db/src/seeders/large/generate-large-data-set.ts';
import {
  defaultLargeDatabaseUrl,
  LARGE_MARKET_SET,
  openLargeDatabase,
} from '../../packages/db/src/seeders/large/large-database.ts';
import { LARGE_PRODUCT_WORDS } from '../../packages/db/src/seeders/large/marketplace.step.ts';
import { createProgress } from '../../packages/db/src/seeders/large/progress.ts';
import { SearchInput } from '../../services/api/src/modules/market/market.schemas.ts';
import { checkout } from '../../services/api/src/modules/market/orders.service.ts';
import { searchProducts } from '../../services/api/src/modules/market/search.service.ts';
import { StaticCache } from '../../services/api/src/platform/static-cache.ts';
import { MARKET_PICK_TABLE, marketRawScript } from './market-raw-script.ts';
import { startPgbench } from './pgbench.ts';
import { cpuWindow } from './process-cpu.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    products: { type: 'string', default: String(LARGE_MARKET_SET.products) },
    items: { type: 'string', default: String(LARGE_MARKET_SET.items) },
    orders: { type: 'string', default: String(LARGE_MARKET_SET.orders) },
    users: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '50' },
    workers: { type: 'string', default: '8' },
    duration: { type: 'string', default: '10' },
    'database-url': { type: 'string' },
    'search-only': { type: 'boolean', default: false },
  },
});
const env = parseConfig(commonEnv);
const dbUrl = args['database-url'] ?? defaultLargeDatabaseUrl(env);
const connections = Number(args.connections);
const workers = Number(args.workers);
const durationS = Number(args.duration);
const progress = createProgress();
const log = (line: string) => progress.line(line);
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));
const DAY = 86_400_000;

// ---- the data set: generated (or resumed) first ---------------------------------------------------
{
  const db = await openLargeDatabase(dbUrl, progress);
  try {
    await generateLargeDataSet(
      db.sql,
      {
        stations: 0,
        users: Number(args.users),
        products: Number(args.products),
        items: Number(args.items),
        orders: Number(args.orders),
      },
      progress,
    );
  } finally {
    await db.close();
  }
}

// The benchmark's own connections carry a name: their backends' CPU is read from /proc (Postgres
// on this host), apart from any other client of the database.
// (pg takes the name from PGAPPNAME.)
const APPLICATION = `bench-market-${process.pid}`;
process.env.PGAPPNAME = APPLICATION;
const orm = await openOrm({
  DATABASE_URL: dbUrl,
  DATABASE_READ_URL: undefined,
  DB_POOL_MIN: 0,
  DB_POOL_MAX: Math.max(connections, workers) + 2,
  DB_POOL_IDLE_MS: 10_000,
});
const nats = await connectNats(env.NATS_URL, 'bench-market');
const cache = new StaticCache({
  nats,
  prefix: `benchm${process.pid}`,
  ttlMs: 0,
  logger: pino({ level: 'silent' }),
});

/** Runs `call` in `n` concurrent loops for `seconds`; returns each call's latency (ms) and the errors. */
async function loops(n: number, seconds: number, call: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  let firstError: unknown;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        try {
          await call(counter++);
          latencies.push(performance.now() - started);
        } catch (error) {
          errors++;
          firstError ??= error;
        }
      }
    }),
  );
  if (firstError)
    log(`first error: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
  return { latencies: latencies.sort((a, b) => a - b), errors };
}

// ---- (a) search ----------------------------------------------------------------------------------
const soon = Math.ceil(Date.now() / DAY) * DAY;
// Word, subtree and period vary independently (20 words × 110 subtrees × 60 starts × 1–7 days):
// a root (a tenth of the catalogue) and a leaf (a hundredth) in turn.
const searchInput = (i: number) => {
  const root = Math.floor(i / 40) % 10;
  const start = soon + ((i * 7) % 60) * DAY;
  return SearchInput.parse({
    q: LARGE_PRODUCT_WORDS[i % LARGE_PRODUCT_WORDS.length],
    category: Math.floor(i / 20) % 2 === 0 ? `lg-${root}` : `lg-${root}-${Math.floor(i / 400) % 10}`,
    available_from: new Date(start),
    available_to: new Date(start + (1 + (i % 7)) * DAY),
    limit: 20,
  });
};
log(`search: warm-up, then ${durationS} s at ${connections} concurrent connections`);
await loops(connections, 2, (i) => searchProducts(orm.em.fork(), cache, searchInput(i)));
let backends: number[] = [];
const readBackends = async () => {
  const rows = await orm.em
    .getConnection()
    .execute<{ pid: number }[]>('select pid from pg_stat_activity where application_name = ?', [APPLICATION]);
  backends = [...new Set([...backends, ...rows.map((r) => r.pid)])];
  return backends;
};
await readBackends();
const searchCpu = cpuWindow({ node: () => [process.pid], postgres: () => backends });
searchCpu.start();
const search = await loops(connections, durationS, (i) =>
  searchProducts(orm.em.fork(), cache, searchInput(i)),
);
await readBackends();
const searchUsed = searchCpu.stop();
const searchLoad = loadavg()[0] ?? 0;
const cpuMsPerSearch = (seconds = 0) =>
  search.latencies.length > 0 ? round((seconds * 1000) / search.latencies.length, 2) : 0;
log(`search: ${search.latencies.length} searches, ${search.errors} errors`);

// ---- (b) checkouts on distinct items -------------------------------------------------------------
/** (b) and the raw pgbench side: checkouts per second on distinct items, and the same statements raw. */
async function measureCheckouts() {
  const conn = orm.em.getConnection();
  const productIds = (
    await conn.execute<{ id: string }[]>(`select id from product where active order by id limit 20000`)
  ).map((r) => r.id);
  const customers = (
    await conn.execute<{ id: string }[]>(
      `select id from users where id not in (select user_id from user_role where role = 'seller') order by id limit 5000`,
    )
  ).map((r) => r.id);
  // Distinct items: each call takes the next product, in a future week of its own per pass.
  const base = Date.UTC(2030, 0, 1) + (Date.now() % 1_000_000) * DAY;
  const tag = Date.now().toString(36);
  log(`checkouts: ${durationS} s with ${workers} workers`);
  const checkouts = await loops(workers, durationS, (i) =>
    checkout(orm.em.fork(), customers[i % customers.length]!, {
      product_id: productIds[i % productIds.length]!,
      start: new Date(base + Math.floor(i / productIds.length) * 7 * DAY),
      end: new Date(base + Math.floor(i / productIds.length) * 7 * DAY + 2 * DAY),
      quantity: 1,
      idempotency_key: `bench-${tag}-${i}`,
    }),
  );
  const checkoutsPerS = checkouts.latencies.length / durationS;
  log(`checkouts: ${checkouts.latencies.length} done, ${checkouts.errors} refused`);

  // ---- the same statements raw, by pgbench -----------------------------------------------------------
  // What one checkout sends (its transaction: the one read, the one insert), made from the service's
  // compiled queries (market-raw-script.ts); the product and customer from a pick table.
  const pickRows = Math.min(productIds.length, 20000);
  await conn.execute(`drop table if exists ${MARKET_PICK_TABLE}`);
  await conn.execute(
    `create table ${MARKET_PICK_TABLE} (n int primary key, product uuid not null, customer uuid not null)`,
  );
  const picks = productIds
    .slice(0, pickRows)
    .map((product, n) => ({ n: n + 1, product, customer: customers[n % customers.length] }));
  await conn.execute(
    `insert into ${MARKET_PICK_TABLE} select * from jsonb_to_recordset(?::jsonb) as x(n int, product uuid, customer uuid)`,
    [JSON.stringify(picks)],
  );
  const dir = mkdtempSync(join(tmpdir(), 'bench-market-'));
  const scriptPath = join(dir, 'checkout.sql');
  writeFileSync(scriptPath, marketRawScript(pickRows));
  log(`pgbench: the same statements raw, ${workers} clients, ${durationS} s`);
  let rawTps = 0;
  try {
    rawTps = (await startPgbench({ dbUrl, scriptPath, clients: workers, seconds: durationS }).done).tps;
  } catch (error) {
    log(`pgbench failed: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await conn.execute(`drop table if exists ${MARKET_PICK_TABLE}`);
  }

  return { checkouts, checkoutsPerS, rawTps };
}
const { checkouts, checkoutsPerS, rawTps } = args['search-only']
  ? { checkouts: { latencies: [] as number[], errors: 0 }, checkoutsPerS: 0, rawTps: 0 }
  : await measureCheckouts();

cache.close();
await nats.close();
await orm.close();

const result = {
  bench: 'market',
  search_load_average: round(searchLoad),
  products: Number(args.products),
  items: Number(args.items),
  orders: Number(args.orders),
  connections,
  searches: search.latencies.length,
  search_errors: search.errors,
  search_p50_ms: round(percentile(search.latencies, 50)),
  search_p99_ms: round(percentile(search.latencies, 99)),
  search_node_cpu_ms: cpuMsPerSearch(searchUsed.node),
  search_pg_cpu_ms: cpuMsPerSearch(searchUsed.postgres),
  workers,
  checkout_p50_ms: round(percentile(checkouts.latencies, 50)),
  checkout_p99_ms: round(percentile(checkouts.latencies, 99)),
  checkout_errors: checkouts.errors,
  checkouts_per_s: round(checkoutsPerS),
  raw_tps: round(rawTps),
  ratio: rawTps > 0 ? round(checkoutsPerS / rawTps, 2) : 0,
};
console.log(JSON.stringify(result));
