import { COUPON_KINDS } from '@powerbank/db';
import { z } from 'zod';
import { PageInput, paginated } from '../../platform/pagination.ts';
import { idempotencyKey, MoneyOutput } from '../payment/payment.schemas.ts';

/** A coupon code in any case; codes are stored upper-case. */
export const CouponCode = z
  .string()
  .trim()
  .min(3)
  .max(40)
  .transform((code) => code.toUpperCase());

export const ApplyCouponInput = z
  .object({
    code: CouponCode,
    idempotency_key: idempotencyKey.optional().describe('a retry with the same key answers the first apply'),
  })
  .strict();
export type ApplyCouponInput = z.infer<typeof ApplyCouponInput>;

/** Where a coupon the user applied stands. */
export const COUPON_USAGE_STATUSES = ['credited', 'available', 'used', 'expired'] as const;

export const CouponUsageOutput = z.object({
  id: z.string(),
  code: z.string(),
  description: z.string().nullable(),
  kind: z.enum(COUPON_KINDS),
  /** Points, percent or minor units, by kind. */
  value: z.number().int(),
  /**
   * credited: points added; available: a discount waiting for the next rental start; used: a
   * discount a rental took (`rental_id`, `discount`); expired: a discount past the coupon's end.
   */
  status: z.enum(COUPON_USAGE_STATUSES),
  points_awarded: z.number().int(),
  discount: MoneyOutput.nullable(),
  rental_id: z.string().nullable(),
  valid_to: z.date(),
  applied_at: z.date(),
});
export type CouponUsageOutput = z.infer<typeof CouponUsageOutput>;

export const MyCouponsInput = PageInput.extend({ status: z.enum(COUPON_USAGE_STATUSES).optional() }).strict();
export type MyCouponsInput = z.infer<typeof MyCouponsInput>;
export const MyCouponsOutput = paginated(CouponUsageOutput);
export type MyCouponsOutput = z.infer<typeof MyCouponsOutput>;
