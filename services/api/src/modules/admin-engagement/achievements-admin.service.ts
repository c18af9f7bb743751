import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Achievement, UserAchievement } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { adminMutation } from '../admin-auth/admin-action.ts';
import { type AdminContext, flushNew } from '../admin-auth/admin-writes.ts';
import type {
  AdminAchievementOutput,
  AdminAchievementsOutput,
  CreateAchievementInput,
  DeactivateAchievementInput,
  UpdateAchievementInput,
} from './achievements-admin.schemas.ts';

async function describe(em: EntityManager, a: Achievement): Promise<AdminAchievementOutput> {
  const completedBy = await em.count(UserAchievement, { achievement: a.id, completedAt: { $ne: null } });
  return {
    id: a.id,
    code: a.code,
    name: a.name,
    description: a.description,
    metric: a.metric,
    threshold: a.threshold,
    rewardPoints: a.rewardPoints,
    iconUrl: a.iconUrl ?? null,
    isActive: a.isActive,
    completedBy,
  };
}

async function lockAchievement(tx: EntityManager, id: number): Promise<Achievement> {
  const found = await tx.findOne(Achievement, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!found) throw new DomainError('NOT_FOUND', `no achievement ${id}`);
  return found;
}

/** Every achievement, active or not, with how many users completed it. */
export async function listAchievements(ctx: AdminContext): Promise<AdminAchievementsOutput> {
  const all = await ctx.em.find(Achievement, {}, { orderBy: { id: 'asc' } });
  return { results: await Promise.all(all.map((a) => describe(ctx.em, a))) };
}

export function createAchievement(
  ctx: AdminContext,
  input: CreateAchievementInput,
): Promise<AdminAchievementOutput> {
  return adminMutation(ctx, 'achievement.create', async (tx) => {
    const achievement = tx.create(Achievement, { ...input, isActive: true });
    await flushNew(tx, `achievement ${input.code} already exists`);
    const after = await describe(tx, achievement);
    return { result: after, targetType: 'achievement', targetId: String(achievement.id), after };
  });
}

/**
 * Edits an achievement. Users who already completed it keep it (and may still claim its reward
 * at the points it offers when they claim); a new threshold applies to progress from now on.
 */
export function updateAchievement(
  ctx: AdminContext,
  input: UpdateAchievementInput,
): Promise<AdminAchievementOutput> {
  return adminMutation(ctx, 'achievement.update', async (tx) => {
    const { id, ...fields } = input;
    const achievement = await lockAchievement(tx, id);
    const before = await describe(tx, achievement);
    tx.assign(achievement, fields);
    await tx.flush();
    const after = await describe(tx, achievement);
    return { result: after, targetType: 'achievement', targetId: String(id), before, after };
  });
}

/** Takes an achievement out of the app: no one starts it, those who unlocked it keep it. */
export function deactivateAchievement(
  ctx: AdminContext,
  input: DeactivateAchievementInput,
): Promise<AdminAchievementOutput> {
  return adminMutation(ctx, 'achievement.deactivate', async (tx) => {
    const achievement = await lockAchievement(tx, input.id);
    if (!achievement.isActive)
      throw new DomainError('BUSINESS_RULE', `achievement ${input.id} is already inactive`);
    achievement.isActive = false;
    await tx.flush();
    const after = await describe(tx, achievement);
    return {
      result: after,
      targetType: 'achievement',
      targetId: String(input.id),
      before: { isActive: true },
      after: { isActive: false, reason: input.reason },
    };
  });
}
