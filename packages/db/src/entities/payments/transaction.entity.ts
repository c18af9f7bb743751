import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, timestamps, uuidKey } from '../columns.ts';
import { GATEWAYS, TRANSACTION_STATUSES, TRANSACTION_TYPES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { Invoice } from '../marketplace/invoice.entity.ts';
import { RentalOrder } from '../marketplace/rental-order.entity.ts';
import { Rental } from '../rentals/rental.entity.ts';
import { PaymentMethod } from './payment-method.entity.ts';

const TransactionSchema = defineEntity({
  name: 'Transaction',
  tableName: 'transactions',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).deleteRule('restrict'),
    type: p.enum(TRANSACTION_TYPES),
    status: p.enum(TRANSACTION_STATUSES).default('pending'),
    /** Total in minor units, however it was paid (wallet part + points value + gateway). */
    amount: money(),
    currency: currency(),
    walletAmount: money().default(0),
    pointsUsed: p.integer().default(0),
    gateway: p.enum(GATEWAYS),
    /** The gateway's transaction id (the marketplace seed's payments.txn_id). */
    gatewayTxnId: p.string().length(128).nullable(),
    paymentMethod: () => p.manyToOne(PaymentMethod).nullable().deleteRule('set null').index(),
    rental: () => p.manyToOne(Rental).nullable().deleteRule('set null').index(),
    invoice: () => p.manyToOne(Invoice).nullable().deleteRule('set null').index(),
    rentalOrder: () => p.manyToOne(RentalOrder).nullable().deleteRule('set null').index(),
    paidAt: p.datetime().nullable(),
    description: p.string().length(255).nullable(),
    metadata: p.json<Record<string, unknown>>().nullable(),
    idempotencyKey: p.string().length(128).nullable().unique(),
    ...timestamps(),
  },
  indexes: [{ properties: ['user', 'createdAt'] }, { properties: ['status', 'createdAt'] }],
  uniques: [{ properties: ['gateway', 'gatewayTxnId'], where: 'gateway_txn_id is not null' }],
  checks: [
    { name: 'transaction_amount_non_negative', expression: 'amount >= 0' },
    { name: 'transaction_parts_non_negative', expression: 'wallet_amount >= 0 and points_used >= 0' },
  ],
});

/**
 * One payment event of either product: top-ups, rental charges, dues, refunds,
 * marketplace invoice payments (the marketplace seed's `payments` merged here).
 */
export class Transaction extends TransactionSchema.class {}
TransactionSchema.setClass(Transaction);
