import { defineEntity, p } from '@mikro-orm/core';
import { uuidKey } from '../columns.ts';
import { LEADERBOARD_CATEGORIES, LEADERBOARD_PERIODS } from '../enums.ts';
import { User } from '../identity/user.entity.ts';

const UserLeaderboardSchema = defineEntity({
  name: 'UserLeaderboard',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    category: p.enum(LEADERBOARD_CATEGORIES),
    period: p.enum(LEADERBOARD_PERIODS),
    /** First day of the week/month; 1970-01-01 for all time. */
    periodStart: p.date(),
    score: p.integer(),
    rank: p.integer(),
    computedAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['category', 'period', 'periodStart', 'user'] }],
  indexes: [{ properties: ['category', 'period', 'periodStart', 'rank'] }],
});

/** Rankings computed by the leaderboard job, never on request. */
export class UserLeaderboard extends UserLeaderboardSchema.class {}
UserLeaderboardSchema.setClass(UserLeaderboard);
