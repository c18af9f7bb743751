import { KYC_STATUSES } from '@powerbank/db';
import { z } from 'zod';

/** Documents are MediaUpload ids from `POST /app/upload`, uploaded by the same user. */
const UploadId = z.uuid();

export const SubmitKycInput = z
  .object({
    documentType: z.enum(['national_id', 'passport', 'driving_license', 'residence_permit']),
    documentNumber: z.string().trim().min(3).max(64),
    frontImageId: UploadId,
    backImageId: UploadId.optional(),
    selfieImageId: UploadId.optional(),
  })
  .strict();
export type SubmitKycInput = z.infer<typeof SubmitKycInput>;

/** Resubmission (after a rejection, or while pending): fields sent replace the stored ones. */
export const UpdateKycInput = SubmitKycInput.partial().strict();
export type UpdateKycInput = z.infer<typeof UpdateKycInput>;

export const KycStatusOutput = z.object({
  status: z.enum(['not_submitted', ...KYC_STATUSES]),
  documentType: z.string().nullable(),
  rejectionReason: z.string().nullable(),
  submittedAt: z.date().nullable(),
  reviewedAt: z.date().nullable(),
});
export type KycStatusOutput = z.infer<typeof KycStatusOutput>;
