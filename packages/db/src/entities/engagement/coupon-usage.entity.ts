import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, money, uuidKey } from '../columns.ts';
import { User } from '../identity/user.entity.ts';
import { RentalOrder } from '../marketplace/rental-order.entity.ts';
import { Transaction } from '../payments/transaction.entity.ts';
import { Rental } from '../rentals/rental.entity.ts';
import { Coupon } from './coupon.entity.ts';

const CouponUsageSchema = defineEntity({
  name: 'CouponUsage',
  properties: {
    id: uuidKey(),
    coupon: () => p.manyToOne(Coupon).deleteRule('restrict'),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    pointsAwarded: p.integer().default(0),
    discountAmount: money().default(0),
    transaction: () => p.manyToOne(Transaction).nullable().deleteRule('set null').index(),
    /** A discount coupon's rental: null while the discount waits for the user's next rental start. */
    rental: () => p.manyToOne(Rental).nullable().deleteRule('set null').index(),
    /** A discount coupon's marketplace order (docs/marketplace.md "Coupons"); null when none took it. */
    rentalOrder: () => p.manyToOne(RentalOrder).nullable().deleteRule('set null').index(),
    idempotencyKey: p.string().length(128).nullable().unique(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['coupon', 'user'] }, { properties: ['user', 'createdAt'] }],
});

export class CouponUsage extends CouponUsageSchema.class {}
CouponUsageSchema.setClass(CouponUsage);
