import { authedProcedure, router } from '../../trpc/trpc.ts';
import { NoInput } from '../auth/auth.schemas.ts';
import { KycStatusOutput, SubmitKycInput, UpdateKycInput } from './kyc.schemas.ts';
import { getKycStatus, submitKyc, updateKyc } from './kyc.service.ts';

const tags = ['auth'];

export const kycRouter = router({
  submit: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/kyc',
        tags,
        protect: true,
        summary: 'Submit identity documents (ids of my own uploads) for review',
      },
    })
    .input(SubmitKycInput)
    .output(KycStatusOutput)
    .mutation(({ ctx, input }) => submitKyc(ctx, input)),

  update: authedProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/auth/kyc',
        tags,
        protect: true,
        summary: 'Resubmit documents; the review starts again',
      },
    })
    .input(UpdateKycInput)
    .output(KycStatusOutput)
    .mutation(({ ctx, input }) => updateKyc(ctx, input)),

  status: authedProcedure
    .meta({
      openapi: { method: 'GET', path: '/auth/kyc-status', tags, protect: true, summary: 'My KYC status' },
    })
    .input(NoInput)
    .output(KycStatusOutput)
    .query(({ ctx }) => getKycStatus(ctx)),
});
