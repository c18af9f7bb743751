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

  it('finds the database missing, creates and migrates it, and generates the data set with progress', async () => {
    const lines: string[] = [];
    const result = await ensureLargeDataSet(
      url,
      wanted,
      createProgress((line) => lines.push(line)),
    );
    expect(result).toEqual({ ...wanted, generated: true });
    expect(lines.some((line) => line.includes('0 large-set stations and 0 users'))).toBe(true);
    expect(lines.some((line) => line.includes('30/30 stations'))).toBe(true);
  });

  it('finds the data set there on the next run and generates nothing', async () => {
    const lines: string[] = [];
    const result = await ensureLargeDataSet(
      url,
      wanted,
      createProgress((line) => lines.push(line)),
    );
    expect(result).toEqual({ ...wanted, generated: false });
    expect(lines.some((line) => line.includes('stations'))).toBe(true);
    expect(lines.some((line) => line.includes('enough'))).toBe(true);
  });

  it('generates only what a larger run wants on top of what is there', async () => {
    const result = await ensureLargeDataSet(
      url,
      { stations: 50, users: 40 },
      createProgress(() => undefined),
    );
    expect(result).toEqual({ stations: 50, users: 40, generated: true });
  });
});
