import { createProgress, ensureLargeDataSet, refreshAnalytics } from '@powerbank/db';
import { createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numbersIn, runReport } from './analytics.service.ts';
import { plainReport } from './analytics-plain.ts';
import { REPORTS, type Report, type ReportName } from './analytics-reports.ts';
import { rankStations } from './station-ranking.ts';

/**
 * Every report, read from the views, against the same report computed by one plain aggregate
 * over the base tables, on the large data set's generator at a small scale (rentals and payments
 * over the 90 days before 2026-12-01): calendar months, 30 days across a month's end, whole
 * weeks, single days, a range with no data.
 */
const RANGES = [
  { from: '2026-11-01', to: '2026-11-30' },
  { from: '2026-10-17', to: '2026-11-15' },
  { from: '2026-09-03', to: '2026-10-02' },
  { from: '2026-09-28', to: '2026-11-03' },
  { from: '2026-09-01', to: '2026-11-30' },
  { from: '2026-11-09', to: '2026-11-15' },
  { from: '2026-10-31', to: '2026-10-31' },
  { from: '2026-08-20', to: '2026-09-18' },
  { from: '2027-01-01', to: '2027-01-30' },
];

const DAY_MS = 86_400_000;
const dayAfter = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
/**
 * The stations report's ranges beyond those: every 4th day from before the data's first day
 * (2026-09-02) to after its last (2026-11-30), each for 1 day, 3, a week, 10, 30, 31 and 45 —
 * starting on any weekday, on and across month ends, whole and cut weeks, and the data's edges.
 */
const STATION_FROM = Array.from({ length: 28 }, (_, i) => ({ from: dayAfter('2026-08-22', 4 * i) }));
const STATION_DAYS = [1, 3, 7, 10, 30, 31, 45];

describe('analytics reports equal the plain aggregates over the base tables', () => {
  let db: TestOrm;

  beforeAll(async () => {
    db = await createTestOrm();
    await ensureLargeDataSet(
      db.db.url,
      { stations: 300, users: 3000, rentals: 30_000 },
      createProgress(() => undefined),
    );
    await refreshAnalytics(db.orm);
  }, 300_000);
  afterAll(() => db.close());

  it.each(RANGES)('every report from $from to $to', async (range) => {
    for (const name of Object.keys(REPORTS) as ReportName[]) {
      const report: Report = REPORTS[name];
      const input = report.input.parse(range) as typeof range;
      const answer = await runReport(db.orm.em.fork(), report, input);
      expect(answer.rows, `${name} ${range.from}..${range.to}`).toEqual(
        await plainReport(db.orm.em.fork(), name, input),
      );
    }
  });

  it.each(STATION_FROM)(
    'stations from $from, over 1 to 45 days: the top 100, and its first 20 alone',
    async ({ from }) => {
      for (const days of STATION_DAYS) {
        const range = { from, to: dayAfter(from, days - 1) };
        const plain = await plainReport(db.orm.em.fork(), 'stations', { ...range, limit: 100 });
        for (const limit of [100, 20]) {
          const input = REPORTS.stations.input.parse({ ...range, limit });
          expect(
            (await runReport(db.orm.em.fork(), REPORTS.stations, input)).rows,
            `${range.from}..${range.to} limit ${limit}`,
          ).toEqual(plain.slice(0, limit));
        }
      }
    },
  );

  it('has data to compare: a month of it has stations, payments and rentals on every day', async () => {
    const input = REPORTS.stations.input.parse({ ...RANGES[1], limit: 1000 });
    const stations = await runReport(db.orm.em.fork(), REPORTS.stations, input);
    expect(stations.rows.length).toBeGreaterThan(250);
    const days = await runReport(db.orm.em.fork(), REPORTS.rentals, RANGES[1] as never);
    expect(days.rows).toHaveLength(30);
  });

  it('stations: every page size, with lists read one row deeper at a time or summed whole, is the plain page', async () => {
    for (const range of RANGES.slice(0, 4)) {
      for (const limit of [1, 7, 50, 299, 1000]) {
        const input = REPORTS.stations.input.parse({ ...range, limit });
        const plain = await plainReport(db.orm.em.fork(), 'stations', input);
        const ways = {
          report: (await runReport(db.orm.em.fork(), REPORTS.stations, input)).rows,
          // Deeper rounds: the first reads one row of each period's list.
          deeper: numbersIn(REPORTS.stations.row, await rankStations(db.orm.em.fork(), input, { first: 1 })),
          // The fallback: no round at all, every station of the range summed.
          summed: numbersIn(REPORTS.stations.row, await rankStations(db.orm.em.fork(), input, { max: 0 })),
        };
        for (const [way, rows] of Object.entries(ways))
          expect(rows, `${range.from}..${range.to} limit ${limit}, ${way}`).toEqual(plain);
      }
    }
  });
});
