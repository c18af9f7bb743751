import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, serialKey, timestamps } from '../columns.ts';

const SubscriptionPlanSchema = defineEntity({
  name: 'SubscriptionPlan',
  properties: {
    id: serialKey(),
    name: p.string().length(80).unique(),
    discountPct: p.integer(),
    durationDays: p.integer(),
    price: money().default(0),
    currency: currency(),
    /** Product ids (or category slugs) the discount applies to. */
    includedProducts: p.json<string[]>(),
    isActive: p.boolean().default(true),
    ...timestamps(),
  },
  checks: [
    { name: 'subscription_plan_discount_range', expression: 'discount_pct >= 0 and discount_pct <= 100' },
    { name: 'subscription_plan_duration_positive', expression: 'duration_days > 0 and price >= 0' },
  ],
});

export class SubscriptionPlan extends SubscriptionPlanSchema.class {}
SubscriptionPlanSchema.setClass(SubscriptionPlan);
