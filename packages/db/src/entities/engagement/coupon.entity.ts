import { defineEntity, p } from '@mikro-orm/core';
import { currency, serialKey, timestamps } from '../columns.ts';
import { COUPON_KINDS } from '../enums.ts';

const CouponSchema = defineEntity({
  name: 'Coupon',
  properties: {
    id: serialKey(),
    /** Stored upper-case; codes are matched case-insensitively. */
    code: p.string().length(40).unique(),
    description: p.string().length(255).nullable(),
    /** The marketplace seed's promotions.discount_type. */
    kind: p.enum(COUPON_KINDS),
    /** Points for `points`, percent for `percent_discount`, minor units for `amount_discount`. */
    value: p.integer(),
    currency: currency(),
    validFrom: p.datetime(),
    validTo: p.datetime(),
    perUserLimit: p.integer().default(1),
    globalLimit: p.integer().nullable(),
    usedCount: p.integer().default(0),
    isActive: p.boolean().default(true),
    ...timestamps(),
  },
  checks: [
    { name: 'coupon_code_upper', expression: 'code = upper(code)' },
    { name: 'coupon_value_positive', expression: 'value > 0' },
    { name: 'coupon_percent_range', expression: "kind <> 'percent_discount' or value <= 100" },
    { name: 'coupon_dates_ordered', expression: 'valid_to > valid_from' },
    {
      name: 'coupon_limits',
      expression:
        'per_user_limit >= 1 and used_count >= 0 and (global_limit is null or used_count <= global_limit)',
    },
  ],
});

/** Coupons and promotions (the marketplace seed's `promotions` merged here). */
export class Coupon extends CouponSchema.class {}
CouponSchema.setClass(Coupon);
