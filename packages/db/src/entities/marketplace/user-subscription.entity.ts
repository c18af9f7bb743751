import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { SUBSCRIPTION_STATUSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { SubscriptionPlan } from './subscription-plan.entity.ts';

const UserSubscriptionSchema = defineEntity({
  name: 'UserSubscription',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    plan: () => p.manyToOne(SubscriptionPlan).deleteRule('restrict').index(),
    status: p.enum(SUBSCRIPTION_STATUSES).default('active'),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    ...timestamps(),
  },
  indexes: [{ properties: ['user', 'status'] }],
  checks: [{ name: 'user_subscription_period_ordered', expression: 'ends_at > starts_at' }],
});

/** A customer's subscription to a plan (the seed's plans need someone subscribed to them). */
export class UserSubscription extends UserSubscriptionSchema.class {}
UserSubscriptionSchema.setClass(UserSubscription);
