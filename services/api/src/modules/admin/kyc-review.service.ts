import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AdminProfile, UserKyc } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { notifyUser } from '../../platform/notify-user.ts';
import type { Context } from '../../trpc/context.ts';
import { type AdminCaller, adminMutation } from '../admin-auth/admin-action.ts';
import { lockUserBelow } from '../admin-auth/admin-rank.ts';
import { readAccountConfig } from '../auth/account-config.ts';
import { awardBonus } from '../auth/points-bonus.ts';
import type { Uploads } from '../uploads/upload.service.ts';
import { keysetPage } from './admin-cursor.ts';
import type {
  KycApproveInput,
  KycDocumentInput,
  KycDocumentOutput,
  KycQueueInput,
  KycQueueOutput,
  KycRejectInput,
  KycReviewItem,
} from './kyc-review.schemas.ts';

type AdminContext = Context & { admin: AdminCaller };
const SIDES = { front: 'frontImage', back: 'backImage', selfie: 'selfieImage' } as const;

function reviewItem(kyc: UserKyc): KycReviewItem {
  return {
    id: kyc.id,
    userId: kyc.user.id,
    phone: kyc.user.phone ?? null,
    fullName: kyc.user.fullName ?? null,
    status: kyc.status,
    documentType: kyc.documentType,
    documentNumber: kyc.documentNumber,
    documents: (Object.keys(SIDES) as (keyof typeof SIDES)[]).filter((side) => kyc[SIDES[side]]),
    rejectionReason: kyc.rejectionReason ?? null,
    submittedAt: kyc.submittedAt,
    reviewedAt: kyc.reviewedAt ?? null,
  };
}

/** KYC submissions in a status (pending by default), newest submission first. */
export async function kycQueue(em: EntityManager, input: KycQueueInput): Promise<KycQueueOutput> {
  const page = await keysetPage(em, UserKyc, { status: input.status }, input, 'submittedAt', ['user']);
  return { results: page.rows.map(reviewItem), nextCursor: page.nextCursor };
}

/** One document of a submission, read from upload storage. */
export async function kycDocument(
  em: EntityManager,
  uploads: Uploads,
  input: KycDocumentInput,
): Promise<KycDocumentOutput> {
  const kyc = await em.findOne(UserKyc, { id: input.kycId }, { populate: [SIDES[input.side]] });
  const upload = kyc?.[SIDES[input.side]];
  if (!kyc || !upload) throw new DomainError('NOT_FOUND', `no ${input.side} document on this KYC`);
  const bytes = await uploads.storage.get(upload.storageKey);
  return {
    mimeType: upload.mimeType,
    originalName: upload.originalName,
    sizeBytes: upload.sizeBytes,
    contentBase64: Buffer.from(bytes).toString('base64'),
  };
}

/**
 * Decides a pending KYC: the user's row (rank rule) and then the KYC row are locked,
 * so two reviewers at once decide it once; the other gets 409. The user is told in
 * the same transaction. Approval gives the KYC bonus (RULES.md: 30 points, once:
 * its ledger key is per user, so a KYC approved again after a reset gives nothing).
 */
function decideKyc(
  ctx: AdminContext,
  input: { kycId: string; reason?: string },
  decision: 'approved' | 'rejected',
): Promise<KycReviewItem> {
  return adminMutation(ctx, `kyc.${decision === 'approved' ? 'approve' : 'reject'}`, async (tx) => {
    const found = await tx.findOne(UserKyc, { id: input.kycId }, { fields: ['user'] });
    if (!found) throw new DomainError('NOT_FOUND', 'no such KYC submission');
    await lockUserBelow(tx, ctx.admin, found.user.id);
    const kyc = await tx.findOneOrFail(
      UserKyc,
      { id: input.kycId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['user'], refresh: true },
    );
    if (kyc.status !== 'pending') {
      throw new DomainError('CONFLICT', `KYC already ${kyc.status}`, { status: kyc.status });
    }
    kyc.status = decision;
    kyc.reviewedAt = new Date();
    kyc.reviewedBy = tx.getReference(AdminProfile, ctx.admin.id);
    kyc.rejectionReason = decision === 'rejected' ? (input.reason ?? null) : null;
    const userId = kyc.user.id;
    if (decision === 'approved') {
      const config = await readAccountConfig(tx);
      await awardBonus(tx, userId, {
        type: 'kyc_bonus',
        points: config.kyc_bonus_points,
        idempotencyKey: `kyc_bonus:${userId}`,
        description: 'KYC approved',
      });
    }
    notifyUser(tx, {
      userId,
      type: decision === 'approved' ? 'kyc_approved' : 'kyc_rejected',
      title: decision === 'approved' ? 'Identity verified' : 'Identity check declined',
      body:
        decision === 'approved'
          ? 'Your documents were approved.'
          : `Your documents were declined: ${input.reason}. You can submit them again.`,
      payload: { kycId: kyc.id },
      dedupeKey: `kyc:${kyc.id}:${kyc.submittedAt.getTime()}`,
    });
    return {
      result: reviewItem(kyc),
      targetType: 'user_kyc',
      targetId: kyc.id,
      before: { status: 'pending' },
      after: { status: decision, userId },
      reason: input.reason ?? null,
    };
  });
}

export const approveKyc = (ctx: AdminContext, input: KycApproveInput) => decideKyc(ctx, input, 'approved');
export const rejectKyc = (ctx: AdminContext, input: KycRejectInput) => decideKyc(ctx, input, 'rejected');
