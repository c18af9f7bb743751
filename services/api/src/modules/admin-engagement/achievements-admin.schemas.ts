import { ACHIEVEMENT_METRICS } from '@powerbank/engagement';
import { z } from 'zod';
import { queryInt } from '../../platform/query-input.ts';

const achievementFields = {
  name: z.string().trim().min(1).max(80),
  description: z.string().trim().min(1).max(255),
  /** What is counted; the catch-up job counts the history of a new achievement too. */
  metric: z.enum(ACHIEVEMENT_METRICS),
  threshold: z.number().int().min(1).max(1_000_000),
  rewardPoints: z.number().int().min(0).max(1_000_000),
  iconUrl: z.url().max(512).nullable(),
};

export const CreateAchievementInput = z
  .object({
    code: z
      .string()
      .trim()
      .min(2)
      .max(40)
      .regex(/^[a-z0-9_]+$/, 'lower-case letters, digits and _ only'),
    ...achievementFields,
    iconUrl: achievementFields.iconUrl.default(null),
  })
  .strict();
export type CreateAchievementInput = z.infer<typeof CreateAchievementInput>;

/**
 * Only the fields given change. The metric is not among them: users' progress counts it, so
 * another metric is another achievement.
 */
export const UpdateAchievementInput = z
  .object({
    name: achievementFields.name,
    description: achievementFields.description,
    threshold: achievementFields.threshold,
    rewardPoints: achievementFields.rewardPoints,
    iconUrl: achievementFields.iconUrl,
    isActive: z.boolean(),
  })
  .partial()
  .extend({ id: queryInt(1, 2_147_483_647) })
  .strict();
export type UpdateAchievementInput = z.infer<typeof UpdateAchievementInput>;

export const DeactivateAchievementInput = z
  .object({ id: queryInt(1, 2_147_483_647), reason: z.string().trim().min(3).max(255) })
  .strict();
export type DeactivateAchievementInput = z.infer<typeof DeactivateAchievementInput>;

export const AdminAchievementOutput = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  description: z.string(),
  metric: z.string(),
  threshold: z.number().int(),
  rewardPoints: z.number().int(),
  iconUrl: z.string().nullable(),
  isActive: z.boolean(),
  /** Users who completed it so far. */
  completedBy: z.number().int(),
});
export type AdminAchievementOutput = z.infer<typeof AdminAchievementOutput>;

export const AdminAchievementsOutput = z.object({ results: z.array(AdminAchievementOutput) });
export type AdminAchievementsOutput = z.infer<typeof AdminAchievementsOutput>;
