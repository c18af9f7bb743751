import { KYC_STATUSES } from '@powerbank/db';
import { z } from 'zod';
import { CursorInput, cursorPage } from './admin-cursor.ts';
import { AdminReason } from './users.schemas.ts';

export const KycQueueInput = CursorInput.extend({ status: z.enum(KYC_STATUSES).default('pending') });
export type KycQueueInput = z.infer<typeof KycQueueInput>;

const KYC_SIDES = ['front', 'back', 'selfie'] as const;

export const KycReviewItem = z.object({
  id: z.string(),
  userId: z.string(),
  phone: z.string().nullable(),
  fullName: z.string().nullable(),
  status: z.enum(KYC_STATUSES),
  documentType: z.string(),
  documentNumber: z.string(),
  /** The sides uploaded: fetch each with `admin.kyc.document`. */
  documents: z.array(z.enum(KYC_SIDES)),
  rejectionReason: z.string().nullable(),
  submittedAt: z.date(),
  reviewedAt: z.date().nullable(),
});
export type KycReviewItem = z.infer<typeof KycReviewItem>;
export const KycQueueOutput = cursorPage(KycReviewItem);
export type KycQueueOutput = z.infer<typeof KycQueueOutput>;

export const KycDocumentInput = z.object({ kycId: z.uuid(), side: z.enum(KYC_SIDES) }).strict();
export type KycDocumentInput = z.infer<typeof KycDocumentInput>;

export const KycDocumentOutput = z.object({
  mimeType: z.string(),
  originalName: z.string(),
  sizeBytes: z.number().int(),
  /** The file itself, base64: the REST adapter speaks JSON only. */
  contentBase64: z.string(),
});
export type KycDocumentOutput = z.infer<typeof KycDocumentOutput>;

export const KycApproveInput = z.object({ kycId: z.uuid(), reason: AdminReason.optional() }).strict();
export type KycApproveInput = z.infer<typeof KycApproveInput>;
export const KycRejectInput = z.object({ kycId: z.uuid(), reason: AdminReason }).strict();
export type KycRejectInput = z.infer<typeof KycRejectInput>;
