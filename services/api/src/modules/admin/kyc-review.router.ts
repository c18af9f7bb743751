import { adminProcedure, router } from '../../trpc/trpc.ts';
import { adminRest } from './admin-route.ts';
import {
  KycApproveInput,
  KycDocumentInput,
  KycDocumentOutput,
  KycQueueInput,
  KycQueueOutput,
  KycRejectInput,
  KycReviewItem,
} from './kyc-review.schemas.ts';
import { approveKyc, kycDocument, kycQueue, rejectKyc } from './kyc-review.service.ts';

const REVIEWERS = ['operations', 'support'] as const;

/** The KYC review queue. */
export const adminKycRouter = router({
  list: adminProcedure(REVIEWERS)
    .meta(adminRest('GET', '/kyc', 'KYC submissions to review (pending by default, cursor)'))
    .input(KycQueueInput)
    .output(KycQueueOutput)
    .query(({ ctx, input }) => kycQueue(ctx.em, input)),

  document: adminProcedure(REVIEWERS)
    .meta(adminRest('GET', '/kyc/{kycId}/documents/{side}', 'One document of a KYC submission (base64)'))
    .input(KycDocumentInput)
    .output(KycDocumentOutput)
    .query(({ ctx, input }) => kycDocument(ctx.em, ctx.uploads, input)),

  approve: adminProcedure(REVIEWERS)
    .meta(
      adminRest(
        'POST',
        '/kyc/{kycId}/approve',
        'Approve a pending KYC: the user is told and gets the KYC bonus once',
      ),
    )
    .input(KycApproveInput)
    .output(KycReviewItem)
    .mutation(({ ctx, input }) => approveKyc(ctx, input)),

  reject: adminProcedure(REVIEWERS)
    .meta(adminRest('POST', '/kyc/{kycId}/reject', 'Reject a pending KYC with a reason the user is told'))
    .input(KycRejectInput)
    .output(KycReviewItem)
    .mutation(({ ctx, input }) => rejectKyc(ctx, input)),
});
