import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from '@powerbank/db';
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
import { rankStations, STATION_RANKING_QUERIES } from './station-ranking.ts';

/**
 * One report: its REST name, its input and row schemas, and how it reads its rows from the
 * analytics views (never the base tables).
 */
export interface Report<I extends z.ZodType = z.ZodType, R extends z.ZodObject = z.ZodObject> {
  /** The REST path's last part: `/api/admin/analytics/{path}` and `{path}.csv`. */
  path: string;
  summary: string;
  input: I;
  row: R;
  /** The rows, on the ORM's read connection (the replica at DATABASE_READ_URL when set). */
  // Methods, not function properties: a report of a narrower input is still a `Report`.
  read(em: EntityManager, input: z.output<I>): Promise<Record<string, unknown>[]>;
  /** Every statement `read` may run for `input` (the reports' test checks what they read). */
  texts(input: z.output<I>): string[];
}

/** Reports read through the ORM's read connection. */
const READ = 'read';

/** A report as written: `read` and `texts` take its own input. */
const defined = <I extends z.ZodType, R extends z.ZodObject>(spec: Report<I, R>) => spec;

/** A report of one SQL statement over the views: `$1` and `$2` are the range's first and last day. */
const report = <I extends z.ZodType, R extends z.ZodObject>(
  spec: Omit<Report<I, R>, 'read' | 'texts'> & {
    sql: (input: z.output<I>) => { text: string; values: unknown[] };
  },
): Report<I, R> =>
  defined({
    path: spec.path,
    summary: spec.summary,
    input: spec.input,
    row: spec.row,
    read: (em, input) => {
      const { text, values } = spec.sql(input);
      return sqlRows<Record<string, unknown>>(em, text, values, READ);
    },
    texts: (input) => [spec.sql(input).text],
  });

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
  stations: defined({
    path: 'stations',
    summary: 'Stations by revenue: rentals, revenue, utilisation and uptime (the top `limit`)',
    input: StationReportInput,
    row: StationRow,
    read: (em, input) => rankStations(em, input),
    texts: () => Object.values(STATION_RANKING_QUERIES).map((query) => query.text),
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
