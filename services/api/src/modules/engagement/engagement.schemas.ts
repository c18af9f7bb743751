import { LEADERBOARD_CATEGORIES, LEADERBOARD_PERIODS } from '@powerbank/db';
import { z } from 'zod';
import { PageInput, PaginationOutput } from '../../platform/pagination.ts';
import { queryInt } from '../../platform/query-input.ts';

export const NoInput = z.object({}).strict();

export const AchievementOutput = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  description: z.string(),
  icon_url: z.string().nullable(),
  metric: z.string().describe('what is counted: rentals, timely_returns, referrals'),
  threshold: z.number().int(),
  progress: z.number().int().describe('counted so far, at most the threshold'),
  reward_points: z.number().int(),
  unlocked: z.boolean(),
  unlocked_at: z.date().nullable(),
  claimed: z.boolean(),
  claimed_at: z.date().nullable(),
});
export const AchievementsOutput = z.object({
  results: z.array(AchievementOutput),
  unlocked_count: z.number().int(),
  claimable_count: z.number().int().describe('unlocked, reward not yet claimed'),
});
export type AchievementsOutput = z.infer<typeof AchievementsOutput>;

// A path parameter arrives as text over REST: read strictly (digits only), then checked like any id.
export const AchievementIdInput = z.object({ id: queryInt(1, 2_147_483_647) }).strict();
export type AchievementIdInput = z.infer<typeof AchievementIdInput>;

export const ClaimOutput = z.object({
  achievement: AchievementOutput,
  points_credited: z.number().int(),
  points_balance: z.number().int(),
});
export type ClaimOutput = z.infer<typeof ClaimOutput>;

export const LeaderboardInput = PageInput.extend({
  category: z.enum(LEADERBOARD_CATEGORIES).default('overall'),
  period: z.enum(LEADERBOARD_PERIODS).default('all_time'),
}).strict();
export type LeaderboardInput = z.infer<typeof LeaderboardInput>;

const LeaderboardEntry = z.object({
  rank: z.number().int(),
  score: z.number().int(),
  display_name: z.string().describe('first name and last initial, or a neutral label'),
  is_me: z.boolean(),
});
export const LeaderboardOutput = z.object({
  category: z.enum(LEADERBOARD_CATEGORIES),
  period: z.enum(LEADERBOARD_PERIODS),
  period_start: z.string().describe('first day (UTC) of the week or month; 1970-01-01 for all time'),
  computed_at: z
    .date()
    .nullable()
    .describe('when the job last ranked this period; null before its first run'),
  results: z.array(LeaderboardEntry),
  pagination: PaginationOutput,
  me: z
    .object({ rank: z.number().int(), score: z.number().int() })
    .nullable()
    .describe("the caller's own rank, also when outside the page; null when not ranked"),
});
export type LeaderboardOutput = z.infer<typeof LeaderboardOutput>;
