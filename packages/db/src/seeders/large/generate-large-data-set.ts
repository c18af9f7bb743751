import type { ChunkedStep } from './chunked-step.ts';
import {
  itemsStep,
  type MarketSizes,
  marketplaceSetup,
  ordersStep,
  productsStep,
} from './marketplace.step.ts';
import type { Progress } from './progress.ts';
import { LARGE_RENTAL_KEY_PREFIX, rentalsStep, TOPUPS_PER_RENTAL, topUpsStep } from './rentals.step.ts';
import {
  LARGE_POWER_BANK_PREFIX,
  LARGE_STATION_PREFIX,
  slotsStep,
  stationsStep,
} from './station-network.step.ts';
import { MAX_LARGE_USERS, usersStep } from './users.step.ts';

/** Runs one SQL statement on a single session and returns its rows. */
export type RunSql = <T = Record<string, unknown>>(sql: string) => Promise<T[]>;

export interface LargeDataSetOptions {
  stations: number;
  users: number;
  /** Rentals over the 90 days before RENTAL_WINDOW_END, with their payments (and 0.3 top-ups each); none if omitted. */
  rentals?: number;
  /** Rows per statement: stations (each with its 8–24 slots) and users (each with 3 owned rows). */
  stationChunk?: number;
  userChunk?: number;
  /** The marketplace's catalogue and history (bench:market); none when absent. */
  products?: number;
  items?: number;
  orders?: number;
  rentalChunk?: number;
}

export interface LargeDataSetResult {
  stations: number;
  slots: number;
  powerBanks: number;
  users: number;
  rentals: number;
  transactions: number;
  seconds: number;
  dbSizeMb: number;
}

/** Tables the generator writes; vacuumed and analysed at the end so benchmarks see real statistics. */
const WRITTEN_TABLES = [
  'station',
  'power_bank',
  'station_slot',
  'users',
  'user_profile',
  'wallet',
  'user_points',
  'category',
  'product',
  // Written by product's trigger (migration market_search_terms).
  'product_search_term',
  'inventory_item',
  'rental_order',
  'rental_order_item',
  'rental',
  'transactions',
  'refund',
];

/**
 * Writes `stations` stations (with slots and power banks) and `users` users
 * (with profile, wallet, points) into a migrated database. Keys and values are
 * deterministic per row number, and each chunk is skipped when already
 * written, so an interrupted or repeated run resumes instead of duplicating.
 */
export async function generateLargeDataSet(
  sql: RunSql,
  options: LargeDataSetOptions,
  progress: Progress,
): Promise<LargeDataSetResult> {
  if (!Number.isSafeInteger(options.stations) || options.stations < 0)
    throw new Error('--stations must be ≥ 0');
  if (!Number.isSafeInteger(options.users) || options.users < 0 || options.users > MAX_LARGE_USERS) {
    throw new Error(`--users must be between 0 and ${MAX_LARGE_USERS}`);
  }
  const rentals = options.rentals ?? 0;
  if (!Number.isSafeInteger(rentals) || rentals < 0) throw new Error('--rentals must be ≥ 0');
  if (rentals > 0 && (options.stations < 1 || options.users < 1))
    throw new Error('rentals need stations and users: --stations and --users ≥ 1');
  const [schema] = await sql<{ ready: boolean }>(`select to_regclass('station') is not null as ready`);
  if (!schema?.ready) throw new Error('the database has no schema: run `pnpm db:migrate` against it first');

  // This session only: the data can be regenerated, so commit durability and JIT compile time are not worth paying for.
  await sql('set synchronous_commit = off');
  await sql('set jit = off');

  progress.line(
    `generating ${options.stations.toLocaleString('en-US')} stations, ${options.users.toLocaleString('en-US')} users and ${rentals.toLocaleString('en-US')} rentals`,
  );
  await runChunked(sql, stationsStep, options.stations, options.stationChunk ?? 10_000, progress);
  await runChunked(sql, slotsStep, options.stations, options.stationChunk ?? 10_000, progress);
  await runChunked(sql, usersStep, options.users, options.userChunk ?? 50_000, progress);
  await generateMarketplace(sql, options, progress);
  const rentalChunk = options.rentalChunk ?? 50_000;
  await runChunked(sql, rentalsStep(options), rentals, rentalChunk, progress);
  await runChunked(sql, topUpsStep(options), Math.floor(rentals * TOPUPS_PER_RENTAL), rentalChunk, progress);

  const vacuumStarted = progress.seconds();
  await sql(`vacuum (analyze) ${WRITTEN_TABLES.map((t) => `"${t}"`).join(', ')}`);
  progress.line(`vacuum analyze done in ${(progress.seconds() - vacuumStarted).toFixed(1)}s`);

  const [counts] = await sql<{
    stations: string;
    slots: string;
    power_banks: string;
    users: string;
    rentals: string;
    transactions: string;
    bytes: string;
  }>(
    `select (select count(*) from station where serial_number like '${LARGE_STATION_PREFIX}%') as stations,
            (select coalesce(sum(slot_count), 0) from station where serial_number like '${LARGE_STATION_PREFIX}%') as slots,
            (select count(*) from power_bank where serial_number like '${LARGE_POWER_BANK_PREFIX}%') as power_banks,
            (select count(*) from users) as users,
            (select count(*) from rental where idempotency_key like '${LARGE_RENTAL_KEY_PREFIX}%') as rentals,
            (select count(*) from transactions where idempotency_key like 'lg-%') as transactions,
            pg_database_size(current_database()) as bytes`,
  );
  return {
    stations: Number(counts?.stations),
    slots: Number(counts?.slots),
    powerBanks: Number(counts?.power_banks),
    users: Number(counts?.users),
    rentals: Number(counts?.rentals),
    transactions: Number(counts?.transactions),
    seconds: Math.round(progress.seconds() * 10) / 10,
    dbSizeMb: Math.round(Number(counts?.bytes) / 1024 / 1024),
  };
}

/** Products, their items and past orders, after the users they belong to. */
async function generateMarketplace(
  sql: RunSql,
  options: LargeDataSetOptions,
  progress: Progress,
): Promise<void> {
  const sizes: MarketSizes = {
    products: options.products ?? 0,
    items: options.items ?? 0,
    orders: options.orders ?? 0,
    users: options.users,
  };
  for (const [name, value] of Object.entries(sizes)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} must be ≥ 0`);
  }
  if (sizes.products === 0) return;
  if (sizes.users === 0) throw new Error('--products needs --users (sellers and customers)');
  if (sizes.items === 0 && sizes.orders > 0) throw new Error('--orders needs --items');
  progress.line(
    `generating ${sizes.products.toLocaleString('en-US')} products, ${sizes.items.toLocaleString('en-US')} items, ` +
      `${sizes.orders.toLocaleString('en-US')} past orders`,
  );
  for (const statement of marketplaceSetup(sizes)) await sql(statement);
  await runChunked(sql, productsStep(sizes), sizes.products, 20_000, progress);
  await runChunked(sql, itemsStep(sizes), sizes.items, 50_000, progress);
  await runChunked(sql, ordersStep(sizes), sizes.orders, 50_000, progress);
}

async function runChunked(
  sql: RunSql,
  step: ChunkedStep,
  total: number,
  chunkSize: number,
  progress: Progress,
): Promise<void> {
  for (let first = 1; first <= total; first += chunkSize) {
    const last = Math.min(total, first + chunkSize - 1);
    const [check] = await sql<{ done: boolean }>(step.doneCheck(last));
    if (check?.done) {
      progress.chunk(step.name, step.unit, last, total, 0, null);
      continue;
    }
    const started = performance.now();
    for (const statement of step.statements(first, last)) await sql(statement);
    progress.chunk(step.name, step.unit, last, total, last - first + 1, (performance.now() - started) / 1000);
  }
}
