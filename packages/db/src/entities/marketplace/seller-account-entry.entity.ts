import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, currency, money, uuidKey } from '../columns.ts';
import { SELLER_ENTRY_TYPES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { SellerAccount } from './seller-account.entity.ts';

const SellerAccountEntrySchema = defineEntity({
  name: 'SellerAccountEntry',
  properties: {
    id: uuidKey(),
    account: () => p.manyToOne(SellerAccount).deleteRule('restrict').index(),
    user: () => p.manyToOne(User).deleteRule('restrict'),
    type: p.enum(SELLER_ENTRY_TYPES),
    /** Signed minor units: credits positive, debits negative. Sum of rows = account balance. */
    amount: money(),
    balanceAfter: money(),
    currency: currency(),
    /** What caused it, e.g. ('rental_order', id), ('seller_payout', id). */
    referenceType: p.string().length(40).nullable(),
    referenceId: p.string().length(64).nullable(),
    idempotencyKey: p.string().length(128).unique(),
    description: p.string().length(255).nullable(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['user', 'createdAt'] }, { properties: ['referenceType', 'referenceId'] }],
  checks: [
    { name: 'seller_entry_amount_non_zero', expression: 'amount <> 0' },
    { name: 'seller_entry_balance_after_non_negative', expression: 'balance_after >= 0' },
  ],
});

/** The seller ledger: one row per seller balance change, written in the same statement as the change. */
export class SellerAccountEntry extends SellerAccountEntrySchema.class {}
SellerAccountEntrySchema.setClass(SellerAccountEntry);
