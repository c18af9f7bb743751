import { PAYMENT_MODES } from '@powerbank/db';
import { z } from 'zod';
import { queryInt } from '../../../platform/query-input.ts';

/** The longest range a report covers: a year (and a leap day). */
export const MAX_REPORT_DAYS = 366;

const DAY_MS = 86_400_000;
/** Days from `from` to `to`, both included. */
export const daysIn = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;

const rangeFields = {
  /** First UTC day of the report, `YYYY-MM-DD`. */
  from: z.iso.date(),
  /** Last UTC day of the report, included. */
  to: z.iso.date(),
};

/** Refuses an upside-down or over-long range, naming the `to` field. */
function checkRange(range: { from: string; to: string }, ctx: z.RefinementCtx) {
  const days = daysIn(range.from, range.to);
  if (days < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must not be before from' });
  else if (days > MAX_REPORT_DAYS)
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `a report covers at most ${MAX_REPORT_DAYS} days`,
    });
}

export const ReportRangeInput = z.object(rangeFields).strict().superRefine(checkRange);
export type ReportRangeInput = z.infer<typeof ReportRangeInput>;

export const StationReportInput = z
  .object({ ...rangeFields, limit: queryInt(1, 1000).default(100) })
  .strict()
  .superRefine(checkRange);
export type StationReportInput = z.infer<typeof StationReportInput>;

const day = z.iso.date();
const count = z.number().int();
/** Integer minor units of `currency`. */
const money = z.number().int();
const currency = z.string().length(3);
/** Hundredths of a percent: 10000 is 100%. */
const basisPoints = z.number().int();

export const RevenueByDayRow = z.object({ day, currency, payments: count, amount: money });
export const RevenueByPackageRow = z.object({
  package_id: z.number().int(),
  package_code: z.string(),
  package_name: z.string(),
  currency,
  payments: count,
  amount: money,
});
export const RevenueByPaymentModeRow = z.object({
  payment_mode: z.enum(PAYMENT_MODES),
  currency,
  payments: count,
  amount: money,
});
export const StationRow = z.object({
  station_id: z.uuid(),
  serial_number: z.string(),
  name: z.string(),
  currency,
  /** Rentals started at the station in the range. */
  rentals: count,
  payments: count,
  /** Revenue of the rentals started there. */
  amount: money,
  /** Minutes its power banks were out on those rentals (open ones up to the last refresh). */
  rental_minutes: count,
  /** Rental time over slot time (slots × the range's days), in basis points. */
  utilisation_bp: basisPoints,
  /** Time seen online over time observed by the analytics job; null when never observed in the range. */
  uptime_bp: basisPoints.nullable(),
});
export const RentalsRow = z.object({
  day,
  started: count,
  completed: count,
  failed: count,
  late: count,
  lost: count,
});
export const ActiveUsersRow = z.object({ day, active_users: count, new_users: count });
export const TopUpsAndRefundsRow = z.object({
  day,
  currency,
  topups: count,
  topup_amount: money,
  refunds: count,
  refund_amount: money,
});
export const DuesRow = z.object({ day, currency, rentals: count, due_amount: money });

/** Every report's answer: its range, when its figures were computed, and its rows. */
export const reportOutput = <R extends z.ZodObject>(row: R) =>
  z.object({
    from: z.string(),
    to: z.string(),
    /** The last refresh of the analytics views: the figures are as of then. */
    refreshed_at: z.string(),
    rows: z.array(row),
  });
