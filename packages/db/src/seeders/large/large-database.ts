import { type CommonEnv, commonEnv, parseConfig } from '@powerbank/config';
import { ensureDatabase } from '../../ensure-database.ts';
import { openOrm } from '../../open-orm.ts';
import { generateLargeDataSet, type RunSql } from './generate-large-data-set.ts';
import type { Progress } from './progress.ts';
import { LARGE_RENTAL_KEY_PREFIX } from './rentals.step.ts';
import { LARGE_STATION_PREFIX } from './station-network.step.ts';

/**
 * The benchmarks' own database. The large data set never goes into the dev
 * database (`DATABASE_URL`): a million users there would slow every dev run,
 * and the benchmarks would not find it.
 */
export const LARGE_DATABASE = 'pb_large';

/** The full data set the benchmarks' figures are measured on (docs/benchmarks.md). */
/** The marketplace's part of it (bench:market; docs/marketplace.md). */
export const LARGE_MARKET_SET = { products: 100_000, items: 500_000, orders: 1_000_000 };
export const LARGE_DATA_SET = { stations: 100_000, users: 1_000_000, rentals: 1_000_000 };

/** `databaseUrl` (the dev stack's) with the benchmarks' database name: same server, same user. */
export function largeDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${LARGE_DATABASE}`;
  return url.toString();
}

/** The benchmarks' database on the server of this environment's `DATABASE_URL`. */
export const defaultLargeDatabaseUrl = (env: Pick<CommonEnv, 'DATABASE_URL'> = parseConfig(commonEnv)) =>
  largeDatabaseUrl(env.DATABASE_URL);

/** A URL fit for a log line: the password left out. */
export function describeDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.password) url.password = '***';
  return url.toString();
}

export interface LargeDatabase {
  sql: RunSql;
  close(): Promise<void>;
}

/**
 * One session on the database at `url`, created and migrated first when it is
 * not (a fresh clone has neither; a kept one may lag behind new migrations).
 * One connection: the generator's session settings must apply to every statement.
 */
export async function openLargeDatabase(url: string, progress: Progress): Promise<LargeDatabase> {
  await ensureDatabase(url);
  const orm = await openOrm({
    DATABASE_URL: url,
    DATABASE_READ_URL: undefined,
    DB_POOL_MIN: 0,
    DB_POOL_MAX: 1,
    DB_POOL_IDLE_MS: 10_000,
    // Bulk inserts of the large data set run for minutes: no statement deadline.
    DB_STATEMENT_TIMEOUT_MS: 0,
  });
  try {
    const applied = await orm.migrator.up();
    if (applied.length) progress.line(`migrated ${describeDatabaseUrl(url)}: ${applied.length} migration(s)`);
  } catch (error) {
    await orm.close();
    throw error;
  }
  return {
    sql: (text) => orm.em.getConnection().execute(text, [], 'all'),
    close: () => orm.close(),
  };
}

/** How much of the large data set the database holds (its stations are told apart by serial prefix). */
export async function largeDataSetCounts(
  sql: RunSql,
): Promise<{ stations: number; users: number; rentals: number }> {
  const [row] = await sql<{ stations: string; users: string; rentals: string }>(
    `select (select count(*) from station where serial_number like '${LARGE_STATION_PREFIX}%') as stations,
            (select count(*) from users) as users,
            (select count(*) from rental where idempotency_key like '${LARGE_RENTAL_KEY_PREFIX}%') as rentals`,
  );
  return {
    stations: Number(row?.stations ?? 0),
    users: Number(row?.users ?? 0),
    rentals: Number(row?.rentals ?? 0),
  };
}

/**
 * Makes the database at `url` hold at least `wanted` stations and users: a
 * benchmark calls it before it starts, so a fresh clone's first run creates,
 * migrates and fills the database itself (with progress lines) instead of
 * failing on a missing or empty one. What is there already is kept; the
 * generator resumes where it stopped.
 */
export async function ensureLargeDataSet(
  url: string,
  wanted: { stations: number; users: number; rentals?: number },
  progress: Progress,
): Promise<{ stations: number; users: number; rentals: number; generated: boolean }> {
  const db = await openLargeDatabase(url, progress);
  try {
    const have = await largeDataSetCounts(db.sql);
    const where = describeDatabaseUrl(url);
    const rentals = wanted.rentals ?? 0;
    if (have.stations >= wanted.stations && have.users >= wanted.users && have.rentals >= rentals) {
      progress.line(
        `${where}: ${have.stations} large-set stations, ${have.users} users, ${have.rentals} rentals; enough`,
      );
      return { ...have, generated: false };
    }
    progress.line(
      `${where}: ${have.stations} large-set stations, ${have.users} users and ${have.rentals} rentals, ` +
        `${wanted.stations}, ${wanted.users} and ${rentals} wanted: generating the rest (the full set takes minutes)`,
    );
    const result = await generateLargeDataSet(db.sql, wanted, progress);
    return { stations: result.stations, users: result.users, rentals: result.rentals, generated: true };
  } finally {
    await db.close();
  }
}
