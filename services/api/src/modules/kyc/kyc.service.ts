import type { EntityManager } from '@mikro-orm/postgresql';
import { MediaUpload, User, UserKyc } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import type { SessionAuth } from '../../platform/session.ts';
import type { Context } from '../../trpc/context.ts';
import { auditUser } from '../auth/user-audit.ts';
import type { KycStatusOutput, SubmitKycInput, UpdateKycInput } from './kyc.schemas.ts';

type AuthedContext = Context & { auth: SessionAuth };
const IMAGE_FIELDS = ['frontImage', 'backImage', 'selfieImage'] as const;

/** `POST /auth/kyc`: the first submission. A second one is a 409 (use PATCH to resubmit). */
export async function submitKyc(ctx: AuthedContext, input: SubmitKycInput): Promise<KycStatusOutput> {
  const userId = ctx.auth.user.id;
  return ctx.em.transactional(async (tx) => {
    if (await tx.count(UserKyc, { user: userId })) {
      throw new DomainError('CONFLICT', 'KYC already submitted: use PATCH to resubmit');
    }
    const images = await ownUploads(tx, userId, input);
    const kyc = tx.create(UserKyc, {
      user: tx.getReference(User, userId),
      status: 'pending',
      documentType: input.documentType,
      documentNumber: input.documentNumber,
      frontImage: images.frontImage ?? null,
      backImage: images.backImage ?? null,
      selfieImage: images.selfieImage ?? null,
    });
    auditUser(tx, userId, 'kyc.submit', ctx.client, { documentType: input.documentType });
    await tx.flush();
    return describeKyc(kyc);
  });
}

/** `PATCH /auth/kyc`: resubmit; goes back to pending for review. An approved KYC is final. */
export async function updateKyc(ctx: AuthedContext, input: UpdateKycInput): Promise<KycStatusOutput> {
  const userId = ctx.auth.user.id;
  return ctx.em.transactional(async (tx) => {
    const kyc = await tx.findOne(UserKyc, { user: userId });
    if (!kyc) throw new DomainError('NOT_FOUND', 'no KYC submitted yet: use POST first');
    if (kyc.status === 'approved') throw new DomainError('BUSINESS_RULE', 'KYC is already approved');
    const images = await ownUploads(tx, userId, input);
    if (input.documentType !== undefined) kyc.documentType = input.documentType;
    if (input.documentNumber !== undefined) kyc.documentNumber = input.documentNumber;
    for (const field of IMAGE_FIELDS) if (images[field]) kyc[field] = images[field];
    kyc.status = 'pending';
    kyc.rejectionReason = null;
    kyc.reviewedAt = null;
    kyc.reviewedBy = null;
    kyc.submittedAt = new Date();
    auditUser(tx, userId, 'kyc.resubmit', ctx.client, { fields: Object.keys(input) });
    await tx.flush();
    return describeKyc(kyc);
  });
}

export async function getKycStatus(ctx: AuthedContext): Promise<KycStatusOutput> {
  const kyc = await ctx.em.findOne(UserKyc, { user: ctx.auth.user.id });
  return kyc
    ? describeKyc(kyc)
    : {
        status: 'not_submitted',
        documentType: null,
        rejectionReason: null,
        submittedAt: null,
        reviewedAt: null,
      };
}

/**
 * The uploads named by the input, each one the caller's own: an id of someone
 * else's upload is refused with 403 and never attached (or revealed to exist).
 */
async function ownUploads(
  tx: EntityManager,
  userId: string,
  input: UpdateKycInput,
): Promise<Partial<Record<(typeof IMAGE_FIELDS)[number], MediaUpload>>> {
  const wanted = {
    frontImage: input.frontImageId,
    backImage: input.backImageId,
    selfieImage: input.selfieImageId,
  };
  const ids = [...new Set(Object.values(wanted).filter((id): id is string => Boolean(id)))];
  if (!ids.length) return {};
  const uploads = await tx.find(MediaUpload, { id: { $in: ids }, user: userId });
  const byId = new Map(uploads.map((upload) => [upload.id, upload]));
  const result: Partial<Record<(typeof IMAGE_FIELDS)[number], MediaUpload>> = {};
  for (const field of IMAGE_FIELDS) {
    const id = wanted[field];
    if (!id) continue;
    const upload = byId.get(id);
    if (!upload) {
      throw new DomainError('FORBIDDEN', `${field}Id is not one of your uploads`, {
        fields: [{ path: `${field}Id`, message: 'not one of your uploads' }],
      });
    }
    result[field] = upload;
  }
  return result;
}

function describeKyc(kyc: UserKyc): KycStatusOutput {
  return {
    status: kyc.status,
    documentType: kyc.documentType,
    rejectionReason: kyc.rejectionReason ?? null,
    submittedAt: kyc.submittedAt,
    reviewedAt: kyc.reviewedAt ?? null,
  };
}
