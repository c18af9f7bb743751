import { defineEntity, p } from '@mikro-orm/core';
import { serialKey, timestamps } from '../columns.ts';

const AchievementSchema = defineEntity({
  name: 'Achievement',
  properties: {
    id: serialKey(),
    code: p.string().length(40).unique(),
    name: p.string().length(80),
    description: p.string().length(255),
    /** What is counted: rentals, timely_returns, referrals… */
    metric: p.string().length(40),
    threshold: p.integer(),
    rewardPoints: p.integer(),
    iconUrl: p.string().length(512).nullable(),
    isActive: p.boolean().default(true),
    ...timestamps(),
  },
  checks: [{ name: 'achievement_values_positive', expression: 'threshold > 0 and reward_points >= 0' }],
});

export class Achievement extends AchievementSchema.class {}
AchievementSchema.setClass(Achievement);
