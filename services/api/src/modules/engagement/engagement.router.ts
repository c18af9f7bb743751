import { authedProcedure, router } from '../../trpc/trpc.ts';
import { claimAchievement, listAchievements } from './achievements.service.ts';
import {
  AchievementIdInput,
  AchievementsOutput,
  ClaimOutput,
  LeaderboardInput,
  LeaderboardOutput,
  NoInput,
} from './engagement.schemas.ts';
import { getLeaderboard } from './leaderboard.service.ts';

const tags = ['engagement'];

/** Achievements (progress from events, rewards claimed once) and the job-computed leaderboard. */
export const engagementRouter = router({
  achievements: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/users/achievements',
        tags,
        protect: true,
        summary: "Achievements with the caller's progress, unlocked and claimed",
      },
    })
    .input(NoInput)
    .output(AchievementsOutput)
    .query(({ ctx }) => listAchievements(ctx.em, ctx.auth.user.id)),

  claimAchievement: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/users/achievements/{id}/claim',
        tags,
        protect: true,
        summary: "Credit an unlocked achievement's reward points, once (again: 409)",
      },
    })
    .input(AchievementIdInput)
    .output(ClaimOutput)
    .mutation(({ ctx, input }) => claimAchievement(ctx.em, ctx.auth.user.id, input.id)),

  leaderboard: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/users/leaderboard',
        tags,
        protect: true,
        summary: "A page of a category's ranking for a period, with the caller's own rank",
      },
    })
    .input(LeaderboardInput)
    .output(LeaderboardOutput)
    .query(({ ctx, input }) => getLeaderboard(ctx.em, ctx.auth.user.id, input)),
});
