import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { LOYALTY_TIERS } from '../enums.ts';
import { User } from '../identity/user.entity.ts';

const UserPointsSchema = defineEntity({
  name: 'UserPoints',
  properties: {
    id: uuidKey(),
    user: () => p.oneToOne(User).owner().unique().deleteRule('restrict'),
    balance: p.integer().default(0),
    lifetimeEarned: p.integer().default(0),
    /** The marketplace seed's loyalty tier, from lifetime points. */
    tier: p.enum(LOYALTY_TIERS).default('bronze'),
    version: p.integer().default(1),
    ...timestamps(),
  },
  checks: [
    { name: 'user_points_balance_non_negative', expression: 'balance >= 0' },
    { name: 'user_points_lifetime_non_negative', expression: 'lifetime_earned >= 0' },
  ],
});

/** Points balance; also the marketplace seed's loyalty account (points_balance, tier). */
export class UserPoints extends UserPointsSchema.class {}
UserPointsSchema.setClass(UserPoints);
