import { describe, expect, it } from 'vitest';
import { parseGenerateLargeArgs } from './generate-large-args.ts';

const env = { DATABASE_URL: 'postgres://postgres@db.example:5432/powerbank' };

describe('generate:large arguments', () => {
  it('fills the benchmarks’ database pb_large on the dev server by default, never the dev database', () => {
    expect(parseGenerateLargeArgs([], env)).toEqual({
      databaseUrl: 'postgres://postgres@db.example:5432/pb_large',
      stations: 100_000,
      users: 1_000_000,
      products: 100_000,
      items: 500_000,
      orders: 1_000_000,
      rentals: 1_000_000,
    });
  });

  it('takes sizes and another database as given, with pnpm’s `--` in front', () => {
    expect(
      parseGenerateLargeArgs(
        [
          '--',
          '--stations',
          '1000',
          '--users',
          '5000',
          '--products',
          '100',
          '--items',
          '500',
          '--orders',
          '1000',
          '--rentals',
          '20000',
          '--database-url',
          'postgres://u@h/scratch',
        ],
        env,
      ),
    ).toEqual({
      databaseUrl: 'postgres://u@h/scratch',
      stations: 1000,
      users: 5000,
      products: 100,
      items: 500,
      orders: 1000,
      rentals: 20000,
    });
  });
});
