import { GENDERS, KYC_STATUSES } from '@powerbank/db';
import { z } from 'zod';

const Name = z.string().trim().min(1).max(60);
const IsoDate = z.iso.date();

/** `PUT /user/profile`: the whole profile; fields left out are cleared. */
export const ReplaceProfileInput = z
  .object({
    firstName: Name,
    lastName: Name,
    email: z.email().max(254).nullish(),
    avatarUrl: z.url().max(512).nullish(),
    dateOfBirth: IsoDate.nullish(),
    gender: z.enum(GENDERS).nullish(),
    address: z.string().trim().min(1).max(255).nullish(),
    city: z.string().trim().min(1).max(80).nullish(),
    language: z.string().min(2).max(8).optional(),
  })
  .strict();
export type ReplaceProfileInput = z.infer<typeof ReplaceProfileInput>;

/** `PATCH /user/profile`: only the fields sent change (null clears one). */
export const UpdateProfileInput = z
  .object({
    firstName: Name.nullish(),
    lastName: Name.nullish(),
    email: z.email().max(254).nullish(),
    avatarUrl: z.url().max(512).nullish(),
    dateOfBirth: IsoDate.nullish(),
    gender: z.enum(GENDERS).nullish(),
    address: z.string().trim().min(1).max(255).nullish(),
    city: z.string().trim().min(1).max(80).nullish(),
    language: z.string().min(2).max(8).optional(),
  })
  .strict();
export type UpdateProfileInput = z.infer<typeof UpdateProfileInput>;

export const ProfileOutput = z.object({
  phone: z.string().nullable(),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  dateOfBirth: z.string().nullable(),
  gender: z.enum(GENDERS).nullable(),
  address: z.string().nullable(),
  city: z.string().nullable(),
  language: z.string(),
  /** Every field the profile bonus asks for is filled (see docs/rules.md). */
  completed: z.boolean(),
  completedAt: z.date().nullable(),
  kycStatus: z.enum(['not_submitted', ...KYC_STATUSES]),
});
export type ProfileOutput = z.infer<typeof ProfileOutput>;
