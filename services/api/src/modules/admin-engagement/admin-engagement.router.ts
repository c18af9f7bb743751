import { adminProcedure, router } from '../../trpc/trpc.ts';
import {
  AdminAchievementOutput,
  AdminAchievementsOutput,
  CreateAchievementInput,
  DeactivateAchievementInput,
  UpdateAchievementInput,
} from './achievements-admin.schemas.ts';
import {
  createAchievement,
  deactivateAchievement,
  listAchievements,
  updateAchievement,
} from './achievements-admin.service.ts';
import {
  AdminCouponOutput,
  CouponUsagesInput,
  CouponUsagesOutput,
  CreateCouponInput,
  DeactivateCouponInput,
} from './coupons-admin.schemas.ts';
import { couponUsages, createCoupon, deactivateCoupon } from './coupons-admin.service.ts';

/** Achievements: operations manage them, support may read them. Mounted as `admin.achievements`. */
export const adminAchievementsRouter = router({
  list: adminProcedure(['operations', 'support'])
    .meta({
      openapi: {
        method: 'GET',
        path: '/admin/achievements',
        tags: ['admin'],
        protect: true,
        summary: 'Every achievement, active or not (operations, support)',
      },
    })
    .output(AdminAchievementsOutput)
    .query(({ ctx }) => listAchievements(ctx)),
  create: adminProcedure(['operations'])
    .meta({
      openapi: {
        method: 'POST',
        path: '/admin/achievements',
        tags: ['admin'],
        protect: true,
        summary: 'Create an achievement (operations)',
      },
    })
    .input(CreateAchievementInput)
    .output(AdminAchievementOutput)
    .mutation(({ ctx, input }) => createAchievement(ctx, input)),
  update: adminProcedure(['operations'])
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/admin/achievements/{id}',
        tags: ['admin'],
        protect: true,
        summary: 'Edit an achievement (operations)',
      },
    })
    .input(UpdateAchievementInput)
    .output(AdminAchievementOutput)
    .mutation(({ ctx, input }) => updateAchievement(ctx, input)),
  deactivate: adminProcedure(['operations'])
    .meta({
      openapi: {
        method: 'POST',
        path: '/admin/achievements/{id}/deactivate',
        tags: ['admin'],
        protect: true,
        summary: 'Deactivate an achievement (operations): those who unlocked it keep it',
      },
    })
    .input(DeactivateAchievementInput)
    .output(AdminAchievementOutput)
    .mutation(({ ctx, input }) => deactivateAchievement(ctx, input)),
});

/** Coupons: operations manage them, support may read their usage. Mounted as `admin.coupons`. */
export const adminCouponsRouter = router({
  create: adminProcedure(['operations'])
    .meta({
      openapi: {
        method: 'POST',
        path: '/admin/coupons',
        tags: ['admin'],
        protect: true,
        summary: 'Create a coupon with its dates and limits (operations)',
      },
    })
    .input(CreateCouponInput)
    .output(AdminCouponOutput)
    .mutation(({ ctx, input }) => createCoupon(ctx, input)),
  deactivate: adminProcedure(['operations'])
    .meta({
      openapi: {
        method: 'POST',
        path: '/admin/coupons/{id}/deactivate',
        tags: ['admin'],
        protect: true,
        summary: 'Deactivate a coupon (operations): redemptions made stand',
      },
    })
    .input(DeactivateCouponInput)
    .output(AdminCouponOutput)
    .mutation(({ ctx, input }) => deactivateCoupon(ctx, input)),
  usages: adminProcedure(['operations', 'support'])
    .meta({
      openapi: {
        method: 'GET',
        path: '/admin/coupons/{id}/usages',
        tags: ['admin'],
        protect: true,
        summary: "A coupon's redemptions, newest first (operations, support)",
      },
    })
    .input(CouponUsagesInput)
    .output(CouponUsagesOutput)
    .query(({ ctx, input }) => couponUsages(ctx, input)),
});
