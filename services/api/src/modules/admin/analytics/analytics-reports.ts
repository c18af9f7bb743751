import type { z } from 'zod';
import {
  ActiveUsersRow,
  DuesRow,
  RentalsRow,
  ReportRangeInput,
  RevenueByDayRow,
  RevenueByPackageRow,
  RevenueByPaymentModeRow,
  StationReportInput,
  StationRow,
  TopUpsAndRefundsRow,
} from './analytics.schemas.ts';

/**
 * One report: its REST name, its input and row schemas, and its query over the analytics views
 * (never the base tables). `$1` and `$2` are the range's first and last day.
 */
export interface Report<I extends z.ZodType = z.ZodType, R extends z.ZodObject = z.ZodObject> {
  /** The REST path's last part: `/api/admin/analytics/{path}` and `{path}.csv`. */
  path: string;
  summary: string;
  input: I;
  row: R;
  sql: (input: z.output<I>) => { text: string; values: unknown[] };
}

const report = <I extends z.ZodType, R extends z.ZodObject>(spec: Report<I, R>) => spec;
const range = (input: { from: string; to: string }) => [input.from, input.to];
const IN_RANGE = 'day between $1::date and $2::date';

/** Revenue: succeeded charges of rentals (start, extension, due, fine), on the day they were paid. */
const revenueBy = <R extends z.ZodObject>(dimension: string, path: string, summary: string, row: R) =>
  report({
    path,
    summary,
    input: ReportRangeInput,
    row,
    sql: (input) => ({
      text: `select ${dimension === 'day' ? 'day::text as day' : dimension}, currency, sum(payments)::int as payments, sum(amount)::int8 as amount
               from analytics_revenue_daily where ${IN_RANGE}
              group by ${dimension}, currency order by ${dimension}, currency`,
      values: range(input),
    }),
  });

const STATION_FIGURES = 'station_id, currency, rentals, payments, amount, rental_seconds';
/** `month` (a first day) lies wholly inside the range. */
const wholeMonth = (month: string) =>
  `${month} >= $1::date and (${month} + interval '1 month')::date - 1 <= $2::date`;

/** Whether the range is exactly one calendar month. */
function isOneMonth({ from, to }: { from: string; to: string }): boolean {
  const start = new Date(`${from}T00:00:00Z`);
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0));
  return start.getUTCDate() === 1 && end.toISOString().slice(0, 10) === to;
}

/**
 * The stations report: the page (`limit`, by revenue) is chosen from the views alone, and only its
 * stations are joined and their uptime read. Whole months come from the monthly view, the days of
 * partial months from the daily one; exactly one month is read in the monthly view's index order.
 */
function stationsReport(input: { from: string; to: string }): string {
  const top = isOneMonth(input)
    ? `select ${STATION_FIGURES} from analytics_station_monthly where month = $1::date
        order by amount desc, rentals desc, station_id limit $3`
    : `select station_id, currency, sum(rentals)::int as rentals, sum(payments)::int as payments,
              sum(amount)::int8 as amount, sum(rental_seconds)::int8 as rental_seconds
         from (select ${STATION_FIGURES} from analytics_station_monthly where ${wholeMonth('month')}
               union all
               select ${STATION_FIGURES} from analytics_station_daily
                where ${IN_RANGE} and not (${wholeMonth(`date_trunc('month', day)::date`)})) as parts
        group by station_id, currency order by amount desc, rentals desc, station_id limit $3`;
  return `with top as (${top})
    select top.station_id, s.serial_number, s.name, top.currency, top.rentals, top.payments, top.amount,
           (top.rental_seconds / 60)::int8 as rental_minutes,
           round(top.rental_seconds * 10000.0 / (s.slot_count * 86400.0 * ($2::date - $1::date + 1)))::int
             as utilisation_bp,
           round(up.online * 10000.0 / nullif(up.observed, 0))::int as uptime_bp
      from top join station s on s.id = top.station_id
      left join lateral (select sum(online_seconds) as online, sum(observed_seconds) as observed
                           from station_uptime_day u
                          where u.station_id = top.station_id and u.${IN_RANGE}) up on true
     order by top.amount desc, top.rentals desc, top.station_id`;
}

export const REPORTS = {
  revenueByDay: revenueBy('day', 'revenue-by-day', 'Revenue per day', RevenueByDayRow),
  revenueByPackage: report({
    path: 'revenue-by-package',
    summary: 'Revenue per rental package',
    input: ReportRangeInput,
    row: RevenueByPackageRow,
    sql: (input) => ({
      text: `select v.package_id, p.code as package_code, p.name as package_name, v.currency,
                    sum(v.payments)::int as payments, sum(v.amount)::int8 as amount
               from analytics_revenue_daily v join rental_package p on p.id = v.package_id
              where v.${IN_RANGE}
              group by v.package_id, p.code, p.name, v.currency order by amount desc, package_code, v.currency`,
      values: range(input),
    }),
  }),
  revenueByPaymentMode: revenueBy(
    'payment_mode',
    'revenue-by-payment-mode',
    'Revenue per payment mode',
    RevenueByPaymentModeRow,
  ),
  stations: report({
    path: 'stations',
    summary: 'Stations by revenue: rentals, revenue, utilisation and uptime (the top `limit`)',
    input: StationReportInput,
    row: StationRow,
    sql: (input) => ({ text: stationsReport(input), values: [...range(input), input.limit] }),
  }),
  rentals: report({
    path: 'rentals',
    summary: 'Rentals per day: started, completed, failed, late, lost',
    input: ReportRangeInput,
    row: RentalsRow,
    sql: (input) => ({
      text: `select day::text as day, started, completed, failed, late, lost from analytics_rentals_daily where ${IN_RANGE} order by day`,
      values: range(input),
    }),
  }),
  activeUsers: report({
    path: 'active-users',
    summary: 'Users per day who rented or topped up, and new sign-ups',
    input: ReportRangeInput,
    row: ActiveUsersRow,
    sql: (input) => ({
      text: `select day::text as day, active_users, new_users from analytics_users_daily where ${IN_RANGE} order by day`,
      values: range(input),
    }),
  }),
  topUpsAndRefunds: report({
    path: 'top-ups-and-refunds',
    summary: 'Top-ups and refunds paid out per day',
    input: ReportRangeInput,
    row: TopUpsAndRefundsRow,
    sql: (input) => ({
      text: `select day::text as day, currency, topups, topup_amount, refunds, refund_amount
               from analytics_money_daily where ${IN_RANGE} order by day, currency`,
      values: range(input),
    }),
  }),
  dues: report({
    path: 'dues',
    summary: 'Dues still outstanding, by the day their rental started',
    input: ReportRangeInput,
    row: DuesRow,
    sql: (input) => ({
      text: `select day::text as day, currency, rentals, due_amount from analytics_dues_daily where ${IN_RANGE} order by day, currency`,
      values: range(input),
    }),
  }),
} satisfies Record<string, Report>;

export type ReportName = keyof typeof REPORTS;
