/**
 * `pnpm bench:market`: the marketplace's two hot paths over the generated catalogue
 * (`bench:generate`'s marketplace part, in pb_large; generated here first when missing):
 *  (a) search — text + category subtree + "available between" — through the api's own search
 *      function at `--connections` concurrent callers (one pool connection each), p50/p99;
 *  (b) checkouts per second on distinct items through the api's own checkout (reserve: the
 *      generated users' wallets are empty), next to the same statements run raw by pgbench.
 * Prints progress, then ONE JSON line: search_p50_ms, search_p99_ms, checkouts_per_s, raw_tps, ratio.
 *
 *   pnpm bench:market [--products 100000] [--items 500000] [--orders 1000000] [--users 100000]
 *                     [--connections 50] [--workers 8] [--duration 10]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { startPgbench } from './pgbench.ts';

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
const searchInput = (i: number) =>
  SearchInput.parse({
    q: LARGE_PRODUCT_WORDS[i % LARGE_PRODUCT_WORDS.length],
    category: `lg-${i % 10}`,
    available_from: new Date(soon + (i % 60) * DAY),
    available_to: new Date(soon + ((i % 60) + 2) * DAY),
    limit: 20,
  });
log(`search: warm-up, then ${durationS} s at ${connections} concurrent connections`);
await loops(connections, 2, (i) => searchProducts(orm.em.fork(), cache, searchInput(i)));
const search = await loops(connections, durationS, (i) =>
  searchProducts(orm.em.fork(), cache, searchInput(i)),
);
log(`search: ${search.latencies.length} searches, ${search.errors} errors`);

// ---- (b) checkouts on distinct items -------------------------------------------------------------
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
// What one checkout sends (the replay look-up, then the reserve transaction: product, settings,
// free items, order, line, invoice, event; then the answer's reads), in pgbench's variables.
const dir = mkdtempSync(join(tmpdir(), 'bench-market-'));
const scriptPath = join(dir, 'checkout.sql');
writeFileSync(
  scriptPath,
  `\\set p random(0, ${productIds.length - 1})
\\set m random(1, 100000000)
\\set c random(0, ${customers.length - 1})
select id from rental_order where idempotency_key = 'raw-' || :m || '-' || :p;
begin;
select id as product, seller_id as seller, base_price as price from product where active order by id offset :p limit 1 \\gset
select key, value from app_config where key = any(array['market_reservation_minutes', 'market_tax_rate_bp']);
select i.id as item from inventory_item i where i.product_id = ':product'::uuid and i.status = 'available'
   and not exists (select 1 from rental_order_item r where r.inventory_item_id = i.id and r.blocking
                   and r.start_ts < timestamptz '2040-01-01' + :m * interval '1 minute' + interval '2 days'
                   and r.end_ts > timestamptz '2040-01-01' + :m * interval '1 minute')
 order by i.sku limit 1 \\gset
select id as customer from users order by id offset :c limit 1 \\gset
insert into rental_order (id, customer_id, seller_id, status, total_amount, deposit_amount, held_amount, currency, start_ts, end_ts, reserved_until, idempotency_key, created_at, updated_at)
values (gen_random_uuid(), ':customer'::uuid, ':seller'::uuid, 'reserved', :price * 2, 0, 0, 'USD', timestamptz '2040-01-01' + :m * interval '1 minute',
        timestamptz '2040-01-01' + :m * interval '1 minute' + interval '2 days', now() + interval '15 minutes', 'raw-' || :m || '-' || :p, now(), now())
returning id as ord \\gset
insert into rental_order_item (id, order_id, product_id, inventory_item_id, quantity, unit_price, amount, start_ts, end_ts, blocking, created_at)
values (gen_random_uuid(), ':ord'::uuid, ':product'::uuid, ':item'::uuid, 1, :price, :price * 2, timestamptz '2040-01-01' + :m * interval '1 minute',
        timestamptz '2040-01-01' + :m * interval '1 minute' + interval '2 days', true, now());
insert into invoice (id, order_id, lines, amount_due, amount_paid, currency, status, due_date, issued_at, created_at, updated_at)
values (gen_random_uuid(), ':ord'::uuid, '[]', :price * 2, 0, 'USD', 'issued', current_date, now(), now(), now());
insert into user_audit_log (id, user_id, event_type, occurred_at, product_id, metadata)
values (gen_random_uuid(), ':customer'::uuid, 'order.reserved', now(), ':product'::uuid, '{}');
commit;
select * from rental_order where id = ':ord'::uuid;
select * from rental_order_item where order_id = ':ord'::uuid;
select * from invoice where order_id = ':ord'::uuid;
`,
);
log(`pgbench: the same statements raw, ${workers} clients, ${durationS} s`);
let rawTps = 0;
try {
  rawTps = (await startPgbench({ dbUrl, scriptPath, clients: workers, seconds: durationS }).done).tps;
} catch (error) {
  log(`pgbench failed: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

cache.close();
await nats.close();
await orm.close();

const result = {
  bench: 'market',
  products: Number(args.products),
  items: Number(args.items),
  orders: Number(args.orders),
  connections,
  searches: search.latencies.length,
  search_errors: search.errors,
  search_p50_ms: round(percentile(search.latencies, 50)),
  search_p99_ms: round(percentile(search.latencies, 99)),
  workers,
  checkout_p50_ms: round(percentile(checkouts.latencies, 50)),
  checkout_p99_ms: round(percentile(checkouts.latencies, 99)),
  checkout_errors: checkouts.errors,
  checkouts_per_s: round(checkoutsPerS),
  raw_tps: round(rawTps),
  ratio: rawTps > 0 ? round(checkoutsPerS / rawTps, 2) : 0,
};
console.log(JSON.stringify(result));
