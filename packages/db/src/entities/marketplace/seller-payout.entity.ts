import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, timestamps, uuidKey } from '../columns.ts';
import { PAYOUT_STATUSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';

const SellerPayoutSchema = defineEntity({
  name: 'SellerPayout',
  properties: {
    id: uuidKey(),
    seller: () => p.manyToOne(User).deleteRule('restrict'),
    /** Taken off the seller balance when requested; given back if an admin rejects it. */
    amount: money(),
    currency: currency(),
    status: p.enum(PAYOUT_STATUSES).default('requested'),
    /** The seller's key, scoped to the seller (`clientKey`): the same request twice is one payout. */
    idempotencyKey: p.string().length(128).unique(),
    decidedBy: () => p.manyToOne(User).nullable().deleteRule('set null').index(),
    decidedAt: p.datetime().nullable(),
    note: p.string().length(255).nullable(),
    ...timestamps(),
  },
  indexes: [{ properties: ['seller', 'createdAt'] }, { properties: ['status', 'createdAt'] }],
  checks: [{ name: 'seller_payout_amount_positive', expression: 'amount > 0' }],
});

/** A seller's request to be paid out of their balance, approved (or rejected) by finance. */
export class SellerPayout extends SellerPayoutSchema.class {}
SellerPayoutSchema.setClass(SellerPayout);
