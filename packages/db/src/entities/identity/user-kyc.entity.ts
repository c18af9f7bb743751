import { defineEntity, p } from '@mikro-orm/core';
import { AdminProfile } from '../admin/admin-profile.entity.ts';
import { timestamps, uuidKey } from '../columns.ts';
import { MediaUpload } from '../content/media-upload.entity.ts';
import { KYC_STATUSES } from '../enums.ts';
import { User } from './user.entity.ts';

const UserKycSchema = defineEntity({
  name: 'UserKyc',
  tableName: 'user_kyc',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).unique().deleteRule('cascade'),
    status: p.enum(KYC_STATUSES).default('pending').index(),
    documentType: p.string().length(40),
    documentNumber: p.string().length(64),
    frontImage: () => p.manyToOne(MediaUpload).nullable().deleteRule('set null').index(),
    backImage: () => p.manyToOne(MediaUpload).nullable().deleteRule('set null').index(),
    selfieImage: () => p.manyToOne(MediaUpload).nullable().deleteRule('set null').index(),
    rejectionReason: p.string().length(255).nullable(),
    reviewedBy: () => p.manyToOne(AdminProfile).nullable().deleteRule('set null').index(),
    submittedAt: p.datetime().onCreate(() => new Date()),
    reviewedAt: p.datetime().nullable(),
    ...timestamps(),
  },
});

/** One KYC record per user, resubmitted in place (PATCH) after a rejection. */
export class UserKyc extends UserKycSchema.class {}
UserKycSchema.setClass(UserKyc);
