import { ANALYTICS_VIEWS } from '@powerbank/db';
import { describe, expect, it } from 'vitest';
import { REPORTS } from './analytics-reports.ts';

/** Every table or view a statement names after `from` or `join`, quoted (a typed query's) or not. */
const relationsOf = (sql: string) =>
  [...sql.matchAll(/\b(?:from|join)\s+(?:lateral\s+)?(?!lateral\b)"?([a-z_]+)/g)].map((m) => m[1]);

describe('analytics reports', () => {
  it('read only the analytics views, and stations, packages and sampled uptime by key: never rentals or transactions', () => {
    const allowed = new Set<string>([
      ...ANALYTICS_VIEWS,
      'station',
      'rental_package',
      'station_uptime_day',
      'top',
      // The stations report's periods: its array parameters read as a table.
      'unnest',
      // The stations report's round: its common table expressions (the lists read, per list, the candidates).
      'listed',
      'lists',
      'c',
    ]);
    const ranges = [
      { from: '2026-11-01', to: '2026-11-30' },
      { from: '2026-10-15', to: '2026-12-15' },
    ];
    for (const [report, range] of Object.values(REPORTS).flatMap((r) => ranges.map((x) => [r, x] as const))) {
      const relations = report.texts({ ...range, limit: 10 } as never).flatMap(relationsOf);
      expect(relations.length, report.path).toBeGreaterThan(0);
      for (const relation of relations)
        expect(allowed, `${report.path} reads ${relation}`).toContain(relation);
    }
  });

  it('each has its own REST path', () => {
    const paths = Object.values(REPORTS).map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
  });
});
