import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, currency, money, uuidKey } from '../columns.ts';
import { WALLET_TX_TYPES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { Transaction } from './transaction.entity.ts';
import { Wallet } from './wallet.entity.ts';

const WalletTransactionSchema = defineEntity({
  name: 'WalletTransaction',
  properties: {
    id: uuidKey(),
    wallet: () => p.manyToOne(Wallet).deleteRule('restrict').index(),
    user: () => p.manyToOne(User).deleteRule('restrict'),
    type: p.enum(WALLET_TX_TYPES),
    /** Signed minor units: credits positive, debits negative. Sum of rows = wallet balance. */
    amount: money(),
    balanceAfter: money(),
    currency: currency(),
    /** What caused it, e.g. ('rental', id), ('payment_intent', id). */
    referenceType: p.string().length(40).nullable(),
    referenceId: p.string().length(64).nullable(),
    transaction: () => p.manyToOne(Transaction).nullable().deleteRule('set null').index(),
    /** A retried call with the same key finds this row instead of applying twice. */
    idempotencyKey: p.string().length(128).unique(),
    description: p.string().length(255).nullable(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['user', 'createdAt'] }, { properties: ['referenceType', 'referenceId'] }],
  checks: [
    { name: 'wallet_tx_amount_non_zero', expression: 'amount <> 0' },
    { name: 'wallet_tx_balance_after_non_negative', expression: 'balance_after >= 0' },
  ],
});

/** The wallet ledger: one row per balance change, written in the same database transaction. */
export class WalletTransaction extends WalletTransactionSchema.class {}
WalletTransactionSchema.setClass(WalletTransaction);
