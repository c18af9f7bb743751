import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidKey } from '../columns.ts';
import { POINTS_TX_TYPES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { UserPoints } from './user-points.entity.ts';

const PointsTransactionSchema = defineEntity({
  name: 'PointsTransaction',
  properties: {
    id: uuidKey(),
    account: () => p.manyToOne(UserPoints).deleteRule('restrict').index(),
    user: () => p.manyToOne(User).deleteRule('restrict'),
    type: p.enum(POINTS_TX_TYPES),
    /** Signed: earned positive, spent negative. Sum of rows = points balance. */
    points: p.integer(),
    balanceAfter: p.integer(),
    referenceType: p.string().length(40).nullable(),
    referenceId: p.string().length(64).nullable(),
    idempotencyKey: p.string().length(128).unique(),
    description: p.string().length(255).nullable(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['user', 'createdAt'] }, { properties: ['referenceType', 'referenceId'] }],
  checks: [
    { name: 'points_tx_points_non_zero', expression: 'points <> 0' },
    { name: 'points_tx_balance_after_non_negative', expression: 'balance_after >= 0' },
  ],
});

export class PointsTransaction extends PointsTransactionSchema.class {}
PointsTransactionSchema.setClass(PointsTransaction);
