import { parseArgs } from 'node:util';
import type { CommonEnv } from '@powerbank/config';
import {
  defaultLargeDatabaseUrl,
  LARGE_DATA_SET,
  LARGE_MARKET_SET,
} from '../seeders/large/large-database.ts';

/**
 * `generate:large`'s arguments. Without `--database-url` the data set goes to the benchmarks'
 * database on the dev server, where `bench:api` reads it, not to DATABASE_URL itself.
 */
export function parseGenerateLargeArgs(argv: string[], env: Pick<CommonEnv, 'DATABASE_URL'>) {
  const { values } = parseArgs({
    // `pnpm … generate:large -- --stations 10` passes the `--` through; drop it.
    args: argv.filter((arg) => arg !== '--'),
    options: {
      stations: { type: 'string', default: String(LARGE_DATA_SET.stations) },
      users: { type: 'string', default: String(LARGE_DATA_SET.users) },
      products: { type: 'string', default: String(LARGE_MARKET_SET.products) },
      items: { type: 'string', default: String(LARGE_MARKET_SET.items) },
      orders: { type: 'string', default: String(LARGE_MARKET_SET.orders) },
      rentals: { type: 'string', default: String(LARGE_DATA_SET.rentals) },
      'database-url': { type: 'string' },
    },
  });
  return {
    databaseUrl: values['database-url'] ?? defaultLargeDatabaseUrl(env),
    stations: Number(values.stations),
    users: Number(values.users),
    products: Number(values.products),
    items: Number(values.items),
    orders: Number(values.orders),
    rentals: Number(values.rentals),
  };
}
