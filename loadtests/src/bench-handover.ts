/**
 * `pnpm bench:handover`: QR handover verifications per second through the api's own
 * `verifyHandover` (token signature check, then in one transaction: the order locked with its
 * lines, invoice and token row, the token claimed, PICKED_UP through the order machine with its
 * effects, the appointment's actual_at, the notice and the event log; the answer from the rows
 * read), at `--workers` concurrent scanners on distinct orders; next to the same statements run
 * raw by pgbench (the pickup's own compiled `PICKUP_READ` and `PICKUP_WRITE` via `textWith`); and
 * Ed25519 offline verifications per second on one core (what a scanner app does). A fresh
 * migrated database of its own (powerbank_bench_handover).
 * Prints progress, then ONE JSON line: verifications_per_s, raw_tps, ratio, offline_verifies_per_s.
 *
 *   pnpm bench:handover [--orders 20000] [--raw-orders 60000] [--workers 8] [--duration 10]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { commonEnv, parseConfig } from '@powerbank/config';
import { openOrm, textWith } from '@powerbank/db';
import { checkHandoverToken, handoverKeys, signHandoverToken, tokenDigest } from '@powerbank/market';
import { verifyHandover } from '../../services/api/src/modules/market/handover.service.ts';
import { PICKUP_READ, PICKUP_WRITE } from '../../services/api/src/modules/market/handover-queries.ts';
import { aCrowd } from '../../services/api/src/testing/crowd.ts';
import { benchStack, percentile } from './bench-stack.ts';
import { startPgbench } from './pgbench.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    orders: { type: 'string', default: '20000' },
    // pgbench's side goes faster: it needs more fresh orders for the same time.
    'raw-orders': { type: 'string', default: '60000' },
    workers: { type: 'string', default: '8' },
    duration: { type: 'string', default: '10' },
  },
});
const ORDERS = Number(args.orders);
const RAW_ORDERS = Number(args['raw-orders']);
const workers = Number(args.workers);
const durationS = Number(args.duration);
const stack = benchStack('bench:handover', 'powerbank_bench_handover', 'bh');
const { log } = stack;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));
// The api derives its key from APP_SECRET; the benchmark signs and verifies with a key of its own.
const keys = handoverKeys('bench:handover signing secret');

// ---- the data: a seller, a customer, --orders + --raw-orders paid orders (one item each), each with a pickup QR ----
await stack.freshDatabase();
const orm = await openOrm({
  ...parseConfig(commonEnv),
  DATABASE_URL: stack.dbUrl,
  DB_POOL_MIN: 0,
  DB_POOL_MAX: workers + 2,
});
const em = () => orm.em.fork();
const crowd = aCrowd(2, { wallet: 0 });
const seller = crowd.users[0]!;
const customer = crowd.users[1]!;
interface Row {
  orderId: string;
  qrId: string;
  token: string;
}
const rows: Row[] = Array.from({ length: ORDERS + RAW_ORDERS }, () => {
  const orderId = randomUUID();
  const qrId = randomUUID();
  const e = Math.floor(Date.now() / 1000) + 3600;
  return { orderId, qrId, token: signHandoverToken(keys, { q: qrId, o: orderId, t: 'pickup', e }) };
});
log(`setup: ${rows.length} paid orders with pickup QR codes`);
/** An array literal of generated uuids / hex digests (nothing to escape). */
const arr = (values: string[]) => `array[${values.map((v) => `'${v}'`).join(',')}]`;
const raw = rows.slice(ORDERS);
await em().transactional(async (tem) => {
  for (const statement of crowd.statements) await tem.execute(statement);
  await tem.execute(
    `insert into category (name, slug, created_at, updated_at) values ('Bench', 'bench-handover', now(), now())`,
  );
  await tem.execute(
    `insert into product (id, seller_id, category_id, title, base_price, currency, pricing_unit, deposit, min_units, active, popularity_score, created_at, updated_at)
     select gen_random_uuid(), ?, (select id from category where slug = 'bench-handover'), 'Bench camera', 4500, 'USD', 'day', 0, 1, true, 0, now(), now()`,
    [seller.userId],
  );
  const chunk = 5000;
  for (let from = 0; from < rows.length; from += chunk) {
    const part = rows.slice(from, from + chunk);
    await tem.execute(
      `with r as (select * from unnest(${arr(part.map((r) => r.orderId))}::uuid[], ${arr(part.map((r) => r.qrId))}::uuid[], ${arr(part.map((r) => tokenDigest(r.token)))}::text[]) with ordinality as r(order_id, qr_id, digest, n)),
       p as (select id from product where title = 'Bench camera' limit 1),
       i as (insert into inventory_item (id, product_id, sku, status, created_at, updated_at)
             select gen_random_uuid(), p.id, 'BH-' || r.order_id, 'available', now(), now() from r, p returning id, sku),
       o as (insert into rental_order (id, customer_id, seller_id, status, total_amount, deposit_amount, held_amount, currency, start_ts, end_ts, created_at, updated_at)
             select r.order_id, ?, ?, 'confirmed', 9000, 0, 0, 'USD', now() + interval '1 hour', now() + interval '2 days', now(), now() from r returning id),
       l as (insert into rental_order_item (id, order_id, product_id, inventory_item_id, quantity, unit_price, amount, start_ts, end_ts, blocking, created_at)
             select gen_random_uuid(), r.order_id, p.id, i.id, 1, 4500, 9000, now() + interval '1 hour', now() + interval '2 days', true, now()
               from r join i on i.sku = 'BH-' || r.order_id, p returning id),
       v as (insert into invoice (id, order_id, lines, amount_due, amount_paid, currency, status, due_date, issued_at, created_at, updated_at)
             select gen_random_uuid(), r.order_id, '[]', 9000, 9000, 'USD', 'paid', current_date, now(), now(), now() from r returning id),
       s as (insert into schedule (id, order_id, type, scheduled_for, status, reschedule_count, created_at, updated_at)
             select gen_random_uuid(), r.order_id, 'pickup', now() + interval '1 hour', 'confirmed', 0, now(), now() from r returning id)
       insert into handover_qr (id, order_id, type, qr_token, expires_at, created_at)
       select r.qr_id, r.order_id, 'pickup', r.digest, now() + interval '1 hour', now() from r`,
      [customer.userId, seller.userId],
    );
  }
  // The raw side's half, numbered for pgbench (a sequence hands each transaction the next one).
  await tem.execute(
    `create table bench_handover_raw (n int primary key, order_id uuid, qr_id uuid, digest text)`,
  );
  await tem.execute(
    `insert into bench_handover_raw select n, order_id, qr_id, digest from unnest(${arr(raw.map((r) => r.orderId))}::uuid[], ${arr(raw.map((r) => r.qrId))}::uuid[], ${arr(raw.map((r) => tokenDigest(r.token)))}::text[]) with ordinality as r(order_id, qr_id, digest, n)`,
  );
  await tem.execute(`create sequence bench_handover_seq`);
});
await orm.em.getConnection().execute('analyze');

// ---- the service path: distinct orders, --workers concurrent scanners ----------------------------
const serviceRows = rows.slice(0, ORDERS);
let next = 0;
let errors = 0;
let firstError: unknown;
const latencies: number[] = [];
log(`service: ${durationS} s with ${workers} concurrent scanners`);
// The api side's CPU (this process: the ORM, Ed25519, the driver) per verification, not wall time.
const cpuBefore = process.cpuUsage();
const started = performance.now();
const until = started + durationS * 1000;
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (performance.now() < until && next < serviceRows.length) {
      const row = serviceRows[next++]!;
      const t0 = performance.now();
      try {
        await verifyHandover(em(), keys, seller.userId, { id: row.orderId, token: row.token });
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= error;
      }
    }
  }),
);
const elapsedS = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuMsPerVerification = latencies.length > 0 ? (cpu.user + cpu.system) / 1000 / latencies.length : 0;
if (firstError) log(`first error: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
if (next >= serviceRows.length) log(`ran out of orders after ${round(elapsedS)} s: raise --orders`);
latencies.sort((a, b) => a - b);
const verificationsPerS = latencies.length / elapsedS;
const active = await em()
  .getConnection()
  .execute<{ n: string }[]>(`select count(*) as n from rental_order where status = 'active'`);
log(`service: ${latencies.length} handovers (${active[0]?.n} orders active), ${errors} errors`);

// ---- the same statements raw, by pgbench ---------------------------------------------------------
// The compiled statements with pgbench's variables in place of their parameters (`textWith`): the
// pickup's one read under the order's lock and its one write, as `pickUp` sends them.
const oid = `':oid'::uuid`;
const pickupRead = textWith(PICKUP_READ, {
  orderId: oid,
  qrId: `':qid'::uuid`,
  scannerId: `'${seller.userId}'::uuid`,
});
const pickupWrite = textWith(PICKUP_WRITE, {
  id: `':qid'::uuid`,
  orderId: oid,
  type: `'pickup'`,
  digest: `':dg'`,
  by: `'${seller.userId}'::uuid`,
  status: `'active'`,
  customerId: `'${customer.userId}'`,
  noticeId: 'gen_random_uuid()',
  noticePayload: `jsonb_build_object('order_id', ':oid')`,
  dedupeKey: `('market_order_picked_up:' || ':oid')`,
  transitionEventId: 'gen_random_uuid()',
  transitionEventType: `'order.active'`,
  transitionMetadata: `jsonb_build_object('orderId', ':oid', 'from', 'confirmed', 'event', 'PICKED_UP', 'refunded', 0)`,
  scanEventId: 'gen_random_uuid()',
  scanMetadata: `jsonb_build_object('orderId', ':oid', 'qrId', ':qid', 'type', 'pickup')`,
});
const dir = mkdtempSync(join(tmpdir(), 'bench-handover-'));
const scriptPath = join(dir, 'handover.sql');
writeFileSync(
  scriptPath,
  `select nextval('bench_handover_seq') as n \\gset
select order_id as oid, qr_id as qid, digest as dg from bench_handover_raw where n = :n \\gset
begin;
${pickupRead};
${pickupWrite};
commit;
`,
);
log(`pgbench: the same statements raw, ${workers} clients, ${durationS} s`);
let rawTps = 0;
try {
  rawTps = (await startPgbench({ dbUrl: stack.dbUrl, scriptPath, clients: workers, seconds: durationS }).done)
    .tps;
} catch (error) {
  log(`pgbench failed: ${error instanceof Error ? error.message.slice(0, 800) : String(error)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
await orm.close();

// ---- offline: signature checks on one core (this thread) -----------------------------------------
const sample = rows[0]!.token;
let offline = 0;
const offlineStart = performance.now();
while (performance.now() - offlineStart < 2000) {
  for (let i = 0; i < 100; i++) if (checkHandoverToken(keys.publicKey, sample, Date.now()).ok) offline++;
}
const offlinePerS = offline / ((performance.now() - offlineStart) / 1000);

const result = {
  bench: 'handover',
  workers,
  duration_s: durationS,
  handovers: latencies.length,
  errors,
  p50_ms: round(percentile(latencies, 50)),
  p99_ms: round(percentile(latencies, 99)),
  cpu_ms_per_verification: round(cpuMsPerVerification, 2),
  verifications_per_s: round(verificationsPerS),
  raw_tps: round(rawTps),
  ratio: rawTps > 0 ? round(verificationsPerS / rawTps, 2) : 0,
  offline_verifies_per_s: Math.round(offlinePerS),
};
console.log(JSON.stringify(result));
