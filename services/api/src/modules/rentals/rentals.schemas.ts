import { PAYMENT_MODES, RENTAL_STATUSES } from '@powerbank/db';
import { z } from 'zod';
import { PageInput, PaginationOutput } from '../../platform/pagination.ts';
import { inputDate } from '../../platform/query-input.ts';
import { MoneyOutput } from '../payment/payment.schemas.ts';

const idempotencyKey = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');
const split = z
  .object({ wallet_amount: z.number().int().min(0), points: z.number().int().min(0) })
  .strict()
  .describe('only with payment_mode "split": must add up to the amount exactly');
const payment = {
  payment_mode: z
    .enum(PAYMENT_MODES)
    .describe('as calculate-options offers: wallet, points, wallet_points, split'),
  split: split.optional(),
  idempotency_key: idempotencyKey.describe(
    'a retry with the same key returns the same result, never a second charge',
  ),
};

export const StartRentalInput = z
  .object({
    station_sn: z.string().min(3).max(64).describe('the station serial, as scanned from its QR code'),
    package_id: z.number().int().positive(),
    ...payment,
  })
  .strict();
export type StartRentalInput = z.infer<typeof StartRentalInput>;

export const RentalIdInput = z.object({ id: z.string().uuid() }).strict();
export type RentalIdInput = z.infer<typeof RentalIdInput>;

export const ExtendRentalInput = z
  .object({ id: z.string().uuid(), package_id: z.number().int().positive(), ...payment })
  .strict();
export type ExtendRentalInput = z.infer<typeof ExtendRentalInput>;

export const PayDueInput = z.object({ id: z.string().uuid(), ...payment }).strict();
export type PayDueInput = z.infer<typeof PayDueInput>;

export const LocationInput = z
  .object({
    id: z.string().uuid(),
    points: z
      .array(
        z
          .object({
            latitude: z.number().min(-90).max(90),
            longitude: z.number().min(-180).max(180),
            accuracy_m: z.number().int().min(0).max(100_000).optional(),
            recorded_at: inputDate(),
          })
          .strict(),
      )
      .min(1)
      .max(500),
  })
  .strict();
export type LocationInput = z.infer<typeof LocationInput>;
export const LocationOutput = z.object({ recorded: z.number().int() });

export const ReportIssueInput = z
  .object({
    id: z.string().uuid(),
    issue_type: z.enum(['not_charging', 'damaged', 'cannot_return', 'wrong_charge', 'other']),
    description: z.string().min(3).max(2000),
    media_ids: z.array(z.string().uuid()).max(10).default([]).describe('ids from POST /api/app/upload'),
  })
  .strict();
export type ReportIssueInput = z.infer<typeof ReportIssueInput>;
export const IssueOutput = z.object({
  id: z.string(),
  rental_id: z.string(),
  issue_type: z.string(),
  status: z.string(),
  media_ids: z.array(z.string()),
  created_at: z.date(),
});
export type IssueOutput = z.infer<typeof IssueOutput>;

export const RentalOutput = z.object({
  id: z.string(),
  status: z.enum(RENTAL_STATUSES),
  package_id: z.number().int(),
  payment_mode: z.enum(PAYMENT_MODES),
  start_station_sn: z.string().nullable(),
  return_station_sn: z.string().nullable(),
  power_bank_serial: z.string().nullable(),
  slot: z.number().int().nullable(),
  prepaid: MoneyOutput,
  wallet_paid: MoneyOutput,
  points_paid: z.number().int(),
  overage: MoneyOutput,
  late_fee: MoneyOutput,
  settled: MoneyOutput.describe('charged at return or cancel beyond the prepaid part'),
  due: MoneyOutput.describe('still owed; blocks new rentals'),
  extension_count: z.number().int(),
  failure_reason: z.string().nullable(),
  started_at: z.date().nullable(),
  due_at: z.date().nullable(),
  returned_at: z.date().nullable(),
  settled_at: z.date().nullable(),
  created_at: z.date(),
});
export type RentalOutput = z.infer<typeof RentalOutput>;

export const ActiveRentalsOutput = z.object({ results: z.array(RentalOutput) });
export type ActiveRentalsOutput = z.infer<typeof ActiveRentalsOutput>;

export const HistoryInput = z
  .object({
    cursor: z.string().uuid().optional().describe('the last id of the previous page'),
    ...PageInput.shape,
    status: z.enum(RENTAL_STATUSES).optional(),
  })
  .strict();
export type HistoryInput = z.infer<typeof HistoryInput>;
export const HistoryOutput = z.object({
  results: z.array(RentalOutput),
  pagination: PaginationOutput.extend({ next_cursor: z.string().nullable() }),
});
export type HistoryOutput = z.infer<typeof HistoryOutput>;

export const NoInput = z.object({}).strict();
export const UsageStatsOutput = z.object({
  total_rentals: z.number().int(),
  completed_rentals: z.number().int(),
  active_rentals: z.number().int(),
  failed_rentals: z.number().int(),
  timely_returns: z.number().int(),
  total_minutes: z.number().int(),
  average_minutes: z.number().int(),
  total_spent: MoneyOutput,
  points_spent: z.number().int(),
  points_earned_from_rentals: z.number().int(),
  due: MoneyOutput,
  favourite_station_sn: z.string().nullable(),
});
export type UsageStatsOutput = z.infer<typeof UsageStatsOutput>;
