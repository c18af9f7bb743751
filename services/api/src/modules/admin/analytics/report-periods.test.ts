import { describe, expect, it } from 'vitest';
import { boundingPeriods, periodsOf, type ReportPeriod } from './report-periods.ts';

const DAY_MS = 86_400_000;
/** Every day a period covers. */
function daysOf({ period, first_day }: ReportPeriod): string[] {
  const start = Date.parse(`${first_day}T00:00:00Z`);
  const end =
    period === 'day'
      ? start + DAY_MS
      : period === 'week'
        ? start + 7 * DAY_MS
        : Date.UTC(new Date(start).getUTCFullYear(), new Date(start).getUTCMonth() + 1, 1);
  const days: string[] = [];
  for (let t = start; t < end; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
function rangeDays(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

describe('periodsOf', () => {
  it('a calendar month is one period', () => {
    expect(periodsOf('2026-11-01', '2026-11-30')).toEqual([{ period: 'month', first_day: '2026-11-01' }]);
    expect(periodsOf('2024-02-01', '2024-02-29')).toEqual([{ period: 'month', first_day: '2024-02-01' }]);
  });

  it('30 days across two months: whole weeks from their Monday, days either side', () => {
    // 2026-10-17 is a Saturday, 2026-11-15 a Sunday.
    expect(periodsOf('2026-10-17', '2026-11-15')).toEqual([
      { period: 'day', first_day: '2026-10-17' },
      { period: 'day', first_day: '2026-10-18' },
      { period: 'week', first_day: '2026-10-19' },
      { period: 'week', first_day: '2026-10-26' },
      { period: 'week', first_day: '2026-11-02' },
      { period: 'week', first_day: '2026-11-09' },
    ]);
  });

  it('a week never reaches into a whole month taken as one', () => {
    const periods = periodsOf('2026-10-20', '2026-12-02');
    expect(periods.filter((p) => p.period === 'month')).toEqual([
      { period: 'month', first_day: '2026-11-01' },
    ]);
    // 2026-10-26 is a Monday, but its week ends on 2026-11-01, inside November.
    expect(periods).not.toContainEqual({ period: 'week', first_day: '2026-10-26' });
  });

  it('covers every day of any range once, in order, with at most a month, 4 weeks and 12 days per side', () => {
    const start = Date.parse('2025-12-20');
    for (let offset = 0; offset < 80; offset += 3) {
      for (const length of [1, 6, 7, 13, 29, 30, 31, 45, 92, 366]) {
        const from = new Date(start + offset * DAY_MS).toISOString().slice(0, 10);
        const to = new Date(start + (offset + length - 1) * DAY_MS).toISOString().slice(0, 10);
        const periods = periodsOf(from, to);
        expect(periods.flatMap(daysOf), `${from}..${to}`).toEqual(rangeDays(from, to));
        expect(periods.filter((p) => p.period !== 'month').length).toBeLessThanOrEqual(2 * (4 + 12));
      }
    }
  });

  it('refuses an upside-down range', () => {
    expect(() => periodsOf('2026-11-02', '2026-11-01')).toThrow(RangeError);
  });

  it('bounds days by their whole week, once, and keeps weeks and months as they are', () => {
    // 2026-09-16 is a Wednesday: its days fall in the week of Monday 14 September.
    expect(boundingPeriods(periodsOf('2026-09-16', '2026-10-15'))).toEqual([
      { period: 'week', first_day: '2026-09-14' },
      { period: 'week', first_day: '2026-09-21' },
      { period: 'week', first_day: '2026-09-28' },
      { period: 'week', first_day: '2026-10-05' },
      { period: 'week', first_day: '2026-10-12' },
    ]);
    expect(boundingPeriods(periodsOf('2026-10-30', '2026-12-01'))).toEqual([
      { period: 'week', first_day: '2026-10-26' },
      { period: 'month', first_day: '2026-11-01' },
      { period: 'week', first_day: '2026-11-30' },
    ]);
  });

  it('every day of a range lies in one of its bounding periods', () => {
    for (const [from, to] of [
      ['2026-09-16', '2026-10-15'],
      ['2026-10-17', '2026-11-15'],
      ['2025-12-29', '2026-03-02'],
    ] as const) {
      const bounds = new Set(boundingPeriods(periodsOf(from, to)).flatMap(daysOf));
      for (const day of rangeDays(from, to)) expect(bounds, day).toContain(day);
    }
  });
});
