import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { PAYMENT_MODES, SUBSCRIPTION_STATUSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { SubscriptionPlan } from './subscription-plan.entity.ts';

const UserSubscriptionSchema = defineEntity({
  name: 'UserSubscription',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    plan: () => p.manyToOne(SubscriptionPlan).deleteRule('restrict').index(),
    status: p.enum(SUBSCRIPTION_STATUSES).default('active'),
    /** The current (paid) period. */
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    /** 1 for the first period; a renewal's payment key names the period it pays. */
    period: p.integer().default(1),
    /** How renewals are paid (as a rental's payment modes). */
    paymentMode: p.enum(PAYMENT_MODES).default('wallet'),
    /** Cancelled by the customer: no renewal, the status becomes `cancelled` at `ends_at`. */
    cancelAtPeriodEnd: p.boolean().default(false),
    /** Failed renewal attempts of the next period; reset by a successful one. */
    renewalAttempts: p.integer().default(0),
    /** When the renewal job next tries (the period's end, then after each failure). */
    nextAttemptAt: p.datetime().nullable(),
    /** The customer's key, scoped to the customer and plan (`clientKey`). */
    idempotencyKey: p.string().length(128).nullable().unique(),
    ...timestamps(),
  },
  uniques: [
    {
      // One live subscription per customer and plan, enforced by Postgres.
      name: 'user_subscription_one_active_per_plan',
      properties: ['user', 'plan'],
      where: `status = 'active'`,
    },
  ],
  indexes: [{ properties: ['user', 'status'] }, { properties: ['status', 'nextAttemptAt'] }],
  checks: [
    { name: 'user_subscription_period_ordered', expression: 'ends_at > starts_at' },
    { name: 'user_subscription_counts', expression: 'period >= 1 and renewal_attempts >= 0' },
  ],
});

/** A customer's subscription to a plan: paid a period ahead, renewed by the worker, cancelled at a period's end. */
export class UserSubscription extends UserSubscriptionSchema.class {}
UserSubscriptionSchema.setClass(UserSubscription);
