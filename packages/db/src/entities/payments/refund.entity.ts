import { defineEntity, p } from '@mikro-orm/core';
import { AdminProfile } from '../admin/admin-profile.entity.ts';
import { currency, money, timestamps, uuidKey } from '../columns.ts';
import { REFUND_STATUSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { Transaction } from './transaction.entity.ts';

const RefundSchema = defineEntity({
  name: 'Refund',
  properties: {
    id: uuidKey(),
    transaction: () => p.manyToOne(Transaction).deleteRule('restrict').index(),
    user: () => p.manyToOne(User).deleteRule('restrict'),
    amount: money(),
    currency: currency(),
    reason: p.string().length(500),
    status: p.enum(REFUND_STATUSES).default('requested'),
    /** Where the money goes back: the gateway it came from, or the wallet. */
    destination: p.enum(['gateway', 'wallet'] as const).default('wallet'),
    reviewedBy: () => p.manyToOne(AdminProfile).nullable().deleteRule('set null').index(),
    reviewNote: p.string().length(500).nullable(),
    gatewayRefundId: p.string().length(128).nullable(),
    idempotencyKey: p.string().length(128).nullable().unique(),
    processedAt: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [{ properties: ['user', 'createdAt'] }, { properties: ['status', 'createdAt'] }],
  checks: [{ name: 'refund_amount_positive', expression: 'amount > 0' }],
});

export class Refund extends RefundSchema.class {}
RefundSchema.setClass(Refund);
