import type { StationPeriod } from '@powerbank/db';

/** One period of analytics_station_period: its kind and first day (`YYYY-MM-DD`). */
export interface ReportPeriod {
  period: StationPeriod;
  first_day: string;
}

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const dayText = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
/** Day 0 (1970-01-01) was a Thursday: a Monday is a day whose number + 3 is a multiple of 7. */
const isMonday = (n: number) => (n + 3) % 7 === 0;
const nextMonth = (n: number) => {
  const d = new Date(n * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / DAY_MS;
};

/** The whole ISO weeks (Monday to Sunday) inside days `a`..`b`, and the days around them. */
function weeksAndDays(a: number, b: number): ReportPeriod[] {
  const periods: ReportPeriod[] = [];
  let day = a;
  while (day <= b) {
    if (isMonday(day) && day + 6 <= b) {
      periods.push({ period: 'week', first_day: dayText(day) });
      day += 7;
    } else {
      periods.push({ period: 'day', first_day: dayText(day) });
      day += 1;
    }
  }
  return periods;
}

/**
 * Cuts the UTC days `from`..`to` (both included) into the fewest periods of the station view:
 * the whole calendar months inside it, then the whole ISO weeks of what is left on either side,
 * then single days. The periods do not overlap and cover every day of the range once, so a
 * station's figures over the range are the sums of its figures over them.
 */
export function periodsOf(from: string, to: string): ReportPeriod[] {
  const first = dayNumber(from);
  const last = dayNumber(to);
  if (!(first <= last)) throw new RangeError(`not a range: ${from}..${to}`);
  const firstOfMonth = new Date(first * DAY_MS).getUTCDate() === 1 ? first : nextMonth(first);
  const months: ReportPeriod[] = [];
  let month = firstOfMonth;
  while (nextMonth(month) - 1 <= last) {
    months.push({ period: 'month', first_day: dayText(month) });
    month = nextMonth(month);
  }
  if (months.length === 0) return weeksAndDays(first, last);
  return [...weeksAndDays(first, firstOfMonth - 1), ...months, ...weeksAndDays(month, last)];
}

/** The Monday of `day`'s ISO week. */
function mondayOf(day: string): string {
  const n = dayNumber(day);
  return dayText(n - ((n + 3) % 7));
}

/**
 * The periods whose station lists bound a range cut into `periods`: each month and week itself,
 * and for single days their whole week (a station's amount over some days of a week is at most
 * its amount over the week). Fewer, longer lists than the days' own: a day's list is short on
 * information (many quiet stations with one rental that day), a week's is not. Distinct, in order.
 */
export function boundingPeriods(periods: readonly ReportPeriod[]): ReportPeriod[] {
  const seen = new Map<string, ReportPeriod>();
  for (const { period, first_day } of periods) {
    const bound: ReportPeriod =
      period === 'day' ? { period: 'week', first_day: mondayOf(first_day) } : { period, first_day };
    seen.set(`${bound.period}:${bound.first_day}`, bound);
  }
  return [...seen.values()];
}
