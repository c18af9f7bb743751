import { LOYALTY_TIERS, POINTS_TX_TYPES, WALLET_TX_TYPES } from '@powerbank/db';
import { z } from 'zod';
import { PageInput, PaginationOutput } from '../../platform/pagination.ts';
import { inputDate } from '../../platform/query-input.ts';
import { MoneyOutput } from '../payment/payment.schemas.ts';

export const NoInput = z.object({}).strict();

/** The next loyalty tier and the lifetime points still missing; null at the top tier. */
const NextTierOutput = z
  .object({
    tier: z.enum(LOYALTY_TIERS),
    min_points: z.number().int(),
    points_needed: z.number().int(),
  })
  .nullable();

export const WalletOutput = z.object({
  wallet: z.object({
    balance: MoneyOutput,
    held: MoneyOutput.describe('reserved by post-paid rentals'),
    available: MoneyOutput,
  }),
  points: z.object({
    balance: z.number().int(),
    value: MoneyOutput,
    lifetime_earned: z.number().int(),
    tier: z.enum(LOYALTY_TIERS).describe('from lifetime points over the AppConfig thresholds'),
    next_tier: NextTierOutput,
  }),
});
export type WalletOutput = z.infer<typeof WalletOutput>;

/**
 * High-volume lists: `cursor` (the last id of the previous page; ids are
 * time-ordered UUIDv7, so newest-first is id order) or `page`, plus filters.
 */
const historyFilters = {
  cursor: z.string().uuid().optional(),
  ...PageInput.shape,
  direction: z.enum(['credit', 'debit']).optional(),
  from: inputDate().optional(),
  to: inputDate().optional(),
};
export const CursorPagination = PaginationOutput.extend({ next_cursor: z.string().nullable() });

export const TransactionsInput = z
  .object({ ...historyFilters, type: z.enum(WALLET_TX_TYPES).optional() })
  .strict();
export type TransactionsInput = z.infer<typeof TransactionsInput>;
export const WalletEntryOutput = z.object({
  id: z.string(),
  type: z.enum(WALLET_TX_TYPES),
  amount: MoneyOutput.describe('signed: credits positive, debits negative'),
  balance_after: MoneyOutput,
  reference_type: z.string().nullable(),
  reference_id: z.string().nullable(),
  transaction_id: z.string().nullable(),
  description: z.string().nullable(),
  created_at: z.date(),
});
export const TransactionsOutput = z.object({
  results: z.array(WalletEntryOutput),
  pagination: CursorPagination,
});
export type TransactionsOutput = z.infer<typeof TransactionsOutput>;

export const PointsHistoryInput = z
  .object({ ...historyFilters, type: z.enum(POINTS_TX_TYPES).optional() })
  .strict();
export type PointsHistoryInput = z.infer<typeof PointsHistoryInput>;
export const PointsEntryOutput = z.object({
  id: z.string(),
  type: z.enum(POINTS_TX_TYPES),
  points: z.number().int(),
  balance_after: z.number().int(),
  reference_type: z.string().nullable(),
  reference_id: z.string().nullable(),
  description: z.string().nullable(),
  created_at: z.date(),
});
export const PointsHistoryOutput = z.object({
  results: z.array(PointsEntryOutput),
  pagination: CursorPagination,
});
export type PointsHistoryOutput = z.infer<typeof PointsHistoryOutput>;

export const PointsSummaryOutput = z.object({
  balance: z.number().int(),
  value: MoneyOutput,
  lifetime_earned: z.number().int(),
  total_spent: z.number().int(),
  tier: z.enum(LOYALTY_TIERS).describe('from lifetime points over the AppConfig thresholds'),
  next_tier: NextTierOutput,
  points_per_currency_unit: z.number(),
  by_type: z.array(
    z.object({ type: z.enum(POINTS_TX_TYPES), points: z.number().int(), count: z.number().int() }),
  ),
});
export type PointsSummaryOutput = z.infer<typeof PointsSummaryOutput>;
