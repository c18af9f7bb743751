import { authedProcedure, router } from '../../trpc/trpc.ts';
import { ApplyCouponInput, CouponUsageOutput, MyCouponsInput, MyCouponsOutput } from './coupon.schemas.ts';
import { applyCoupon, listMyCoupons } from './coupon.service.ts';

const tags = ['promotions'];

/** Coupons (RULES.md "Engagement"): points at once, or a discount on the next rental start. */
export const promotionsRouter = router({
  applyCoupon: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/promotions/apply-coupon',
        tags,
        protect: true,
        summary:
          'Apply a coupon code (any case): points credited now, or a discount kept for your next rental',
      },
    })
    .input(ApplyCouponInput)
    .output(CouponUsageOutput)
    .mutation(({ ctx, input }) => applyCoupon(ctx.em, ctx.auth.user.id, input)),

  myCoupons: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/promotions/my-coupons',
        tags,
        protect: true,
        summary: 'Coupons you applied, newest first: credited, available, used or expired',
      },
    })
    .input(MyCouponsInput)
    .output(MyCouponsOutput)
    .query(({ ctx, input }) => listMyCoupons(ctx.em, ctx.auth.user.id, input)),
});
