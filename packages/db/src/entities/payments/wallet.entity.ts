import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, timestamps, uuidKey } from '../columns.ts';
import { User } from '../identity/user.entity.ts';

const WalletSchema = defineEntity({
  name: 'Wallet',
  properties: {
    id: uuidKey(),
    user: () => p.oneToOne(User).owner().unique().deleteRule('restrict'),
    /** Spendable balance in minor units; the CHECK makes an overdraft impossible. */
    balance: money().default(0),
    /** Amount reserved by post-paid rentals' holds; never more than the balance. */
    held: money().default(0),
    currency: currency(),
    /** Optimistic-lock version, bumped by every balance change. */
    version: p.integer().default(1),
    ...timestamps(),
  },
  checks: [
    { name: 'wallet_balance_non_negative', expression: 'balance >= 0' },
    { name: 'wallet_held_within_balance', expression: 'held >= 0 and held <= balance' },
  ],
});

export class Wallet extends WalletSchema.class {}
WalletSchema.setClass(Wallet);
