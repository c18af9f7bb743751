/**
 * `pnpm bench:ledger`: wallet debits per second through @powerbank/ledger
 * (the service code the api and station-core call) against real Postgres,
 * next to the very same SQL run raw by pgbench in the same run, plus the
 * row-lock alternative (SELECT … FOR UPDATE, then UPDATE and INSERT) that
 * the conditional update was chosen over. Last line: one JSON object.
 *
 * Knobs (environment): BENCH_WORKERS (8), BENCH_WALLETS (1000), BENCH_SECONDS (10).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { commonEnv, parseConfig } from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { entryText, ledger } from '@powerbank/ledger';
import pg from 'pg';
import { startPgbench } from '../src/pgbench.ts';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 8);
const WALLETS = Number(process.env.BENCH_WALLETS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const HOT_SECONDS = Math.max(3, Math.round(SECONDS / 2));

const env = parseConfig(commonEnv);
const url = new URL(env.DATABASE_URL);
url.pathname = '/powerbank_bench_ledger';
const DATABASE_URL = url.toString();

/** Deterministic user ids, so pgbench can name the same wallets from a random integer. */
const userIdSql = (n: string) => `('00000000-0000-7000-8000-' || lpad((${n})::text, 12, '0'))::uuid`;
const userIdOf = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const START_BALANCE = 1_000_000_000_000;

async function ensureDatabase() {
  const admin = new URL(env.DATABASE_URL);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = 'powerbank_bench_ledger'");
    if (!found.rowCount) await client.query('create database powerbank_bench_ledger');
  } finally {
    await client.end();
  }
}

async function prepareDatabase() {
  await ensureDatabase();
  const orm = await openOrm({ DATABASE_URL, DB_POOL_MIN: 0, DB_POOL_MAX: WORKERS, DB_POOL_IDLE_MS: 60_000 });
  await orm.migrator.up();
  const em = orm.em.fork();
  await em.execute('truncate wallet_transaction, wallet, user_points, users cascade');
  await em.execute(
    `insert into users (id, phone, status, referral_code, created_at, updated_at)
     select ${userIdSql('n')}, '+1998' || lpad(n::text, 7, '0'), 'active', 'BL' || lpad(n::text, 8, '0'), now(), now()
       from generate_series(1, ${WALLETS}) as n`,
  );
  await em.execute(
    `insert into wallet (id, user_id, balance, held, currency, version, created_at, updated_at)
     select gen_random_uuid(), ${userIdSql('n')}, ${START_BALANCE}, 0, 'USD', 1, now(), now() from generate_series(1, ${WALLETS}) as n`,
  );
  // One opening ledger row per wallet: the sum of rows equals the balance from the start.
  await em.execute(
    `insert into wallet_transaction (id, wallet_id, user_id, type, amount, balance_after, currency, idempotency_key, created_at)
     select gen_random_uuid(), id, user_id, 'adjustment', balance, balance, 'USD', 'bench:open:' || user_id, now() from wallet`,
  );
  return orm;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function benchService(orm: Awaited<ReturnType<typeof openOrm>>) {
  const latencies: number[] = [];
  let refused = 0;
  let seq = 0;
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, worker) => {
      while (performance.now() < until) {
        const n = 1 + Math.floor(Math.random() * WALLETS);
        const t0 = performance.now();
        try {
          // A fresh entity manager per debit, as a request gets one.
          await ledger.debitWallet(orm.em.fork(), {
            userId: userIdOf(n),
            amount: 1,
            type: 'rental_charge',
            idempotencyKey: `bench:${process.pid}:${worker}:${seq++}`,
            reference: { type: 'bench', id: String(worker) },
          });
          latencies.push(performance.now() - t0);
        } catch {
          refused += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    debitsPerS: latencies.length / elapsed,
    count: latencies.length,
    refused,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** The service's own statement (its compiled query, `entryText`) with pgbench expressions for the per-call values. */
function conditionalScript(wallets: number): string {
  const statement = entryText(
    'wallet',
    'debit',
    {
      userId: 'USER',
      amount: 1,
      type: 'rental_charge',
      idempotencyKey: 'KEY',
      reference: { type: 'bench', id: 'pgbench' },
    },
    {
      userId: userIdSql(':u'),
      entryId: 'gen_random_uuid()',
      idempotencyKey: `'pgbench:' || gen_random_uuid()`,
    },
  );
  return `\\set u random(1, ${wallets})\n${statement.replace(/\s+/g, ' ')};\n`;
}

/** The alternative: lock the row, then update it and write the entry, in an explicit transaction. */
function rowLockScript(wallets: number): string {
  const uid = userIdSql(':u');
  return [
    `\\set u random(1, ${wallets})`,
    'begin;',
    `select id, balance - held as spendable from wallet where user_id = ${uid} for update;`,
    `update wallet set balance = balance - 1, version = version + 1, updated_at = now() where user_id = ${uid};`,
    `insert into wallet_transaction (id, wallet_id, user_id, type, amount, balance_after, currency, reference_type, reference_id, idempotency_key, created_at) select gen_random_uuid(), id, user_id, 'rental_charge', -1, balance, currency, 'bench', 'pgbench', 'pgbench:' || gen_random_uuid(), now() from wallet where user_id = ${uid};`,
    'commit;',
    '',
  ].join('\n');
}

async function pgbench(dir: string, name: string, script: string, seconds: number) {
  const scriptPath = join(dir, `${name}.sql`);
  await writeFile(scriptPath, script);
  const { done } = startPgbench({ dbUrl: DATABASE_URL, scriptPath, clients: WORKERS, seconds });
  const { tps, latencyMs } = await done;
  return { tps, latencyMs, script };
}

async function ledgerHolds(orm: Awaited<ReturnType<typeof openOrm>>) {
  const [row] = await orm.em.fork().execute<{ bad: string }[]>(
    `select count(*) as bad from wallet w
      where w.balance <> (select coalesce(sum(amount), 0) from wallet_transaction t where t.wallet_id = w.id)`,
  );
  return Number(row?.bad ?? -1) === 0;
}

async function main() {
  const orm = await prepareDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'bench-ledger-'));
  try {
    console.log(
      `ledger bench: ${WORKERS} workers, ${WALLETS} wallets, ${SECONDS}s per run, ${cpus().length} cpus`,
    );
    // Warm the pool and the JIT so the first second is not measured cold.
    await Promise.all(
      Array.from({ length: WORKERS * 4 }, (_, i) =>
        ledger.debitWallet(orm.em.fork(), {
          userId: userIdOf(1 + (i % WALLETS)),
          amount: 1,
          type: 'rental_charge',
          idempotencyKey: `bench:warm:${process.pid}:${i}`,
        }),
      ),
    );
    const service = await benchService(orm);
    console.log(
      `service  (conditional update, 1 statement): ${service.debitsPerS.toFixed(0)} debits/s, p50 ${service.p50.toFixed(2)} ms, p99 ${service.p99.toFixed(2)} ms, ${service.refused} refused`,
    );
    const raw = await pgbench(dir, 'conditional', conditionalScript(WALLETS), SECONDS);
    console.log(
      `pgbench  (same statement, raw)           : ${raw.tps.toFixed(0)} tps, latency avg ${raw.latencyMs} ms`,
    );
    const lock = await pgbench(dir, 'row-lock', rowLockScript(WALLETS), SECONDS);
    console.log(
      `pgbench  (row lock: BEGIN/FOR UPDATE/UPDATE/INSERT/COMMIT): ${lock.tps.toFixed(0)} tps, latency avg ${lock.latencyMs} ms`,
    );
    const hotRaw = await pgbench(dir, 'hot-conditional', conditionalScript(1), HOT_SECONDS);
    const hotLock = await pgbench(dir, 'hot-row-lock', rowLockScript(1), HOT_SECONDS);
    console.log(
      `one hot wallet, all ${WORKERS} clients: conditional ${hotRaw.tps.toFixed(0)} tps vs row lock ${hotLock.tps.toFixed(0)} tps`,
    );
    const ratio = service.debitsPerS / raw.tps;
    const holds = await ledgerHolds(orm);
    console.log(
      `service / raw = ${ratio.toFixed(2)} (target >= 0.5); ledger sum = balance on every wallet: ${holds}`,
    );
    console.log(`pgbench script:\n${raw.script}`);
    console.log(
      JSON.stringify({
        debits_per_s: Math.round(service.debitsPerS),
        raw_tps: Math.round(raw.tps),
        ratio: Number(ratio.toFixed(3)),
        p50_ms: Number(service.p50.toFixed(2)),
        p99_ms: Number(service.p99.toFixed(2)),
        row_lock_raw_tps: Math.round(lock.tps),
        hot_wallet_conditional_tps: Math.round(hotRaw.tps),
        hot_wallet_row_lock_tps: Math.round(hotLock.tps),
        workers: WORKERS,
        wallets: WALLETS,
        seconds: SECONDS,
        cpus: cpus().length,
        ledger_sum_equals_balance: holds,
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await orm.close(true);
  }
}

await main();
