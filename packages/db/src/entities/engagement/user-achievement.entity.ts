import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { User } from '../identity/user.entity.ts';
import { Achievement } from './achievement.entity.ts';

const UserAchievementSchema = defineEntity({
  name: 'UserAchievement',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    achievement: () => p.manyToOne(Achievement).deleteRule('cascade').index(),
    progress: p.integer().default(0),
    completedAt: p.datetime().nullable(),
    /** Reward given once: set in the same transaction as the points credit. */
    claimedAt: p.datetime().nullable(),
    ...timestamps(),
  },
  uniques: [{ properties: ['user', 'achievement'] }],
  checks: [{ name: 'user_achievement_progress_non_negative', expression: 'progress >= 0' }],
});

export class UserAchievement extends UserAchievementSchema.class {}
UserAchievementSchema.setClass(UserAchievement);
