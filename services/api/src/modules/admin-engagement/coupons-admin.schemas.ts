import { COUPON_KINDS } from '@powerbank/db';
import { z } from 'zod';
import { inputDate, queryInt } from '../../platform/query-input.ts';
import { CursorInput, cursorPage } from '../admin/admin-cursor.ts';
import { CouponCode } from '../promotions/coupon.schemas.ts';

export const CreateCouponInput = z
  .object({
    code: CouponCode.refine((code) => /^[A-Z0-9_-]+$/.test(code), 'letters, digits, _ and - only'),
    description: z.string().trim().max(255).nullable().default(null),
    kind: z.enum(COUPON_KINDS),
    /** Points for `points`, percent (1–100) for `percent_discount`, minor units for `amount_discount`. */
    value: z.number().int().min(1).max(10_000_000),
    validFrom: inputDate(),
    validTo: inputDate(),
    perUserLimit: z.number().int().min(1).max(1000).default(1),
    /** Uses across all users; null: no limit. */
    globalLimit: z.number().int().min(1).max(100_000_000).nullable().default(null),
  })
  .strict()
  .refine((c) => c.validTo > c.validFrom, { path: ['validTo'], message: 'validTo must be after validFrom' })
  .refine((c) => c.kind !== 'percent_discount' || c.value <= 100, {
    path: ['value'],
    message: 'a percent discount is at most 100',
  });
export type CreateCouponInput = z.infer<typeof CreateCouponInput>;

export const DeactivateCouponInput = z
  .object({ id: queryInt(1, 2_147_483_647), reason: z.string().trim().min(3).max(255) })
  .strict();
export type DeactivateCouponInput = z.infer<typeof DeactivateCouponInput>;

export const CouponUsagesInput = CursorInput.extend({ id: queryInt(1, 2_147_483_647) }).strict();
export type CouponUsagesInput = z.infer<typeof CouponUsagesInput>;

export const AdminCouponOutput = z.object({
  id: z.number().int(),
  code: z.string(),
  description: z.string().nullable(),
  kind: z.enum(COUPON_KINDS),
  value: z.number().int(),
  currency: z.string(),
  validFrom: z.date(),
  validTo: z.date(),
  perUserLimit: z.number().int(),
  globalLimit: z.number().int().nullable(),
  usedCount: z.number().int(),
  isActive: z.boolean(),
});
export type AdminCouponOutput = z.infer<typeof AdminCouponOutput>;

export const CouponUsagesOutput = cursorPage(
  z.object({
    id: z.string(),
    userId: z.string(),
    pointsAwarded: z.number().int(),
    /** Minor units taken off the rental it was applied to. */
    discountAmount: z.number().int(),
    rentalId: z.string().nullable(),
    usedAt: z.date(),
  }),
);
export type CouponUsagesOutput = z.infer<typeof CouponUsagesOutput>;
