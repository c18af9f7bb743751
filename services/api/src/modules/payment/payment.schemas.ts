import { GATEWAYS, INTENT_STATUSES, PACKAGE_PAYMENT_MODELS, REFUND_STATUSES } from '@powerbank/db';
import { AUTOMATIC_MODES } from '@powerbank/domain';
import { z } from 'zod';
import { PageInput, paginated } from '../../platform/pagination.ts';

/** Money in every response (RULES.md): integer minor units, currency, display string. */
export const MoneyOutput = z.object({
  amount: z.number().int().describe('minor units (cents)'),
  currency: z.string().length(3),
  formatted: z.string(),
});

const minorUnits = z.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe('minor units (cents)');
export const idempotencyKey = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

export const CalculateOptionsInput = z
  .object({
    package_id: z.number().int().positive().optional().describe('price a rental package'),
    amount: minorUnits.optional().describe('or any amount (an extension, a due)'),
  })
  .strict()
  .refine((input) => (input.package_id === undefined) !== (input.amount === undefined), {
    message: 'give exactly one of package_id and amount',
    path: ['amount'],
  });
export type CalculateOptionsInput = z.infer<typeof CalculateOptionsInput>;

export const PaymentOptionOutput = z.object({
  mode: z.enum(AUTOMATIC_MODES),
  sufficient: z.boolean(),
  wallet_amount: MoneyOutput,
  points: z.number().int(),
  points_value: MoneyOutput,
  shortfall: z.object({ wallet: MoneyOutput, points: z.number().int() }),
});
export const CalculateOptionsOutput = z.object({
  amount: MoneyOutput,
  package_id: z.number().int().nullable(),
  /** A discount coupon the user applied, taken off a prepaid package's price (`amount` is after it). */
  discount: z.object({ coupon_code: z.string(), amount: MoneyOutput }).nullable(),
  balances: z.object({ wallet: MoneyOutput, points: z.number().int(), points_value: MoneyOutput }),
  points_per_currency_unit: z.number(),
  options: z.array(PaymentOptionOutput),
});
export type CalculateOptionsOutput = z.infer<typeof CalculateOptionsOutput>;

export const NoInput = z.object({}).strict();

export const PackageOutput = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  payment_model: z.enum(PACKAGE_PAYMENT_MODELS),
  duration_minutes: z.number().int(),
  price: MoneyOutput,
  per_minute_rate: MoneyOutput,
  deposit: MoneyOutput,
});
export const PackagesOutput = z.object({ results: z.array(PackageOutput) });
export type PackagesOutput = z.infer<typeof PackagesOutput>;

export const PaymentMethodOutput = z.object({
  code: z.string(),
  name: z.string(),
  gateway: z.enum(GATEWAYS),
  min_amount: MoneyOutput,
  max_amount: MoneyOutput,
  icon_url: z.string().nullable(),
});
export const PaymentMethodsOutput = z.object({ results: z.array(PaymentMethodOutput) });
export type PaymentMethodsOutput = z.infer<typeof PaymentMethodsOutput>;

export const TopupIntentInput = z
  .object({
    amount: minorUnits,
    payment_method: z.string().min(1).max(40).describe('a PaymentMethod code, e.g. sandbox_card'),
    idempotency_key: idempotencyKey.optional().describe('a retry with the same key returns the same intent'),
  })
  .strict();
export type TopupIntentInput = z.infer<typeof TopupIntentInput>;

export const TopupStatusOutput = z.object({
  intent_id: z.string().uuid(),
  status: z.enum(INTENT_STATUSES),
  gateway: z.enum(GATEWAYS),
  amount: MoneyOutput,
  expires_at: z.date(),
  credited: z.boolean(),
  credited_at: z.date().nullable(),
  transaction_id: z.string().nullable(),
});
export type TopupStatusOutput = z.infer<typeof TopupStatusOutput>;

export const TopupIntentOutput = TopupStatusOutput.extend({
  checkout_url: z.string().nullable().describe('sandbox: the page to open and pay'),
  client_secret: z.string().nullable().describe('Stripe: for the client SDK to confirm the payment'),
});
export type TopupIntentOutput = z.infer<typeof TopupIntentOutput>;

export const IntentIdInput = z.object({ intent_id: z.string().uuid() }).strict();
export type IntentIdInput = z.infer<typeof IntentIdInput>;

export const RefundRequestInput = z
  .object({
    transaction_id: z.string().uuid(),
    reason: z.string().trim().min(3).max(500),
    amount: minorUnits.optional().describe('default: everything still refundable'),
    idempotency_key: idempotencyKey.optional(),
  })
  .strict();
export type RefundRequestInput = z.infer<typeof RefundRequestInput>;

export const RefundOutput = z.object({
  id: z.string().uuid(),
  transaction_id: z.string().uuid(),
  amount: MoneyOutput,
  reason: z.string(),
  status: z.enum(REFUND_STATUSES),
  destination: z.enum(['gateway', 'wallet']),
  review_note: z.string().nullable(),
  processed_at: z.date().nullable(),
  created_at: z.date(),
});
export type RefundOutput = z.infer<typeof RefundOutput>;

export const RefundsInput = PageInput.extend({ status: z.enum(REFUND_STATUSES).optional() }).strict();
export type RefundsInput = z.infer<typeof RefundsInput>;
export const RefundsOutput = paginated(RefundOutput);
export type RefundsOutput = z.infer<typeof RefundsOutput>;

export const RefundDecisionInput = z
  .object({ refund_id: z.string().uuid(), note: z.string().trim().max(500).optional() })
  .strict();
export type RefundDecisionInput = z.infer<typeof RefundDecisionInput>;
