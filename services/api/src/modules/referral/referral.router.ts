import { authedProcedure, publicProcedure, router } from '../../trpc/trpc.ts';
import {
  ClaimInput,
  ClaimOutput,
  MyCodeOutput,
  NoInput,
  ValidateInput,
  ValidateOutput,
} from './referral.schemas.ts';
import { claimReferral, getMyCode, validateCode } from './referral.service.ts';

const tags = ['referral'];

/** Referrals (RULES.md "Engagement"): share a code, check one, claim one after sign-up. */
export const referralRouter = router({
  myCode: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/referral/my-code',
        tags,
        protect: true,
        summary: 'Your referral code, friends invited and rewarded, points earned',
      },
    })
    .input(NoInput)
    .output(MyCodeOutput)
    .query(({ ctx }) => getMyCode(ctx.em, ctx.auth.user.id)),

  validate: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/referral/validate',
        tags,
        summary: 'Whether a referral code can be used (case-insensitive); public: apps check it at sign-up',
      },
    })
    .input(ValidateInput)
    .output(ValidateOutput)
    .query(({ ctx, input }) => validateCode(ctx.em, input)),

  claim: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/referral/claim',
        tags,
        protect: true,
        summary:
          'Claim a friend’s code within 30 days of sign-up, once; both are rewarded at your first rental',
      },
    })
    .input(ClaimInput)
    .output(ClaimOutput)
    .mutation(({ ctx, input }) => claimReferral(ctx.em, ctx.auth.user.id, input)),
});
