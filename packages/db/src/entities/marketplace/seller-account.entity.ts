import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, timestamps, uuidKey } from '../columns.ts';
import { User } from '../identity/user.entity.ts';

const SellerAccountSchema = defineEntity({
  name: 'SellerAccount',
  properties: {
    id: uuidKey(),
    user: () => p.oneToOne(User).owner().unique().deleteRule('restrict'),
    /** What the platform owes the seller, minor units; the CHECK makes a negative balance impossible. */
    balance: money().default(0),
    currency: currency(),
    /** Bumped by every balance change, as the wallet's. */
    version: p.integer().default(1),
    ...timestamps(),
  },
  checks: [{ name: 'seller_account_balance_non_negative', expression: 'balance >= 0' }],
});

/**
 * A seller's balance: completed orders' shares in, commission and payouts out. A third ledger
 * next to wallet and points, with the same invariants (sum of entries = balance, never negative).
 */
export class SellerAccount extends SellerAccountSchema.class {}
SellerAccountSchema.setClass(SellerAccount);
