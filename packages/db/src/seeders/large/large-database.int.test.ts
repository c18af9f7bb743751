import { adminQuery, databaseUrl, newTestResourceName } from '@powerbank/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureLargeDataSet } from './large-database.ts';
import { createProgress } from './progress.ts';

describe('ensureLargeDataSet (what a benchmark runs before it starts)', () => {
  // A database that does not exist yet, as pb_large on a fresh clone.
  const name = newTestResourceName();
  const url = databaseUrl(name);
  const wanted = { stations: 30, users: 40 };
  afterAll(() => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));

  /** One benchmark start's preparation, with the progress lines it printed. */
  async function prepare(size = wanted) {
    const lines: string[] = [];
    const result = await ensureLargeDataSet(
      url,
      size,
      createProgress((line) => lines.push(line)),
    );
    return { result, said: (text: string) => lines.some((line) => line.includes(text)) };
  }

  it('finds the database missing, creates and migrates it, and generates the data set with progress', async () => {
    const { result, said } = await prepare();
    expect(result).toEqual({ ...wanted, rentals: 0, generated: true });
    expect(said('0 large-set stations, 0 users and 0 rentals')).toBe(true);
    expect(said('30/30 stations')).toBe(true);
  });

  it('finds the data set there on the next run and generates nothing', async () => {
    const { result, said } = await prepare();
    expect(result).toEqual({ ...wanted, rentals: 0, generated: false });
    expect(said('30 large-set stations, 40 users, 0 rentals; enough')).toBe(true);
  });

  it('generates only what a larger run wants on top of what is there', async () => {
    const { result, said } = await prepare({ stations: 50, users: 40 });
    expect(result).toEqual({ stations: 50, users: 40, rentals: 0, generated: true });
    expect(said('30 large-set stations, 40 users and 0 rentals')).toBe(true);
  });
});
