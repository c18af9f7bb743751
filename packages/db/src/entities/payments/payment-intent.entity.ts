import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, timestamps, uuidKey } from '../columns.ts';
import { GATEWAYS, INTENT_STATUSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { RentalOrder } from '../marketplace/rental-order.entity.ts';
import { PaymentMethod } from './payment-method.entity.ts';
import { Transaction } from './transaction.entity.ts';

const PaymentIntentSchema = defineEntity({
  name: 'PaymentIntent',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).deleteRule('restrict'),
    paymentMethod: () => p.manyToOne(PaymentMethod).deleteRule('restrict').index(),
    gateway: p.enum(GATEWAYS),
    purpose: p.string().length(20).default('topup'),
    amount: money(),
    currency: currency(),
    status: p.enum(INTENT_STATUSES).default('created'),
    gatewayIntentId: p.string().length(128).nullable(),
    checkoutUrl: p.string().length(1024).nullable(),
    clientSecret: p.string().length(255).nullable().hidden(),
    transaction: () => p.manyToOne(Transaction).nullable().deleteRule('set null').index(),
    /** purpose `market_order`: the marketplace order this top-up pays once credited. */
    rentalOrder: () => p.manyToOne(RentalOrder).nullable().deleteRule('set null').index(),
    idempotencyKey: p.string().length(128).nullable().unique(),
    expiresAt: p.datetime(),
    succeededAt: p.datetime().nullable(),
    /** Set once when the wallet is credited: the guard that makes crediting exactly-once. */
    creditedAt: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [{ properties: ['user', 'status'] }, { properties: ['status', 'expiresAt'] }],
  uniques: [{ properties: ['gateway', 'gatewayIntentId'], where: 'gateway_intent_id is not null' }],
  checks: [{ name: 'payment_intent_amount_positive', expression: 'amount > 0' }],
});

export class PaymentIntent extends PaymentIntentSchema.class {}
PaymentIntentSchema.setClass(PaymentIntent);
