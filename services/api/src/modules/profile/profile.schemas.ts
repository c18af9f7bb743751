import { GENDERS, KYC_STATUSES } from '@powerbank/db';
import { z } from 'zod';

const Name = z.string().trim().min(1).max(60);
const IsoDate = z.iso.date();

/**
 * Which notices may reach me outside the app (in-app ones always arrive): push and SMS switched
 * on or off, and event codes muted. Rules marked mandatory (overdue, lost bank, sign-in codes)
 * ignore them.
 */
export const NotificationPreferencesInput = z
  .object({
    push: z.boolean().optional(),
    sms: z.boolean().optional(),
    muted: z.array(z.string().trim().min(1).max(64)).max(100).optional(),
  })
  .strict();

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
    notificationPreferences: NotificationPreferencesInput.nullish(),
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
    /** Replaces the preferences as a whole (null: back to the defaults, everything on). */
    notificationPreferences: NotificationPreferencesInput.nullish(),
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
  /** As the sender applies them: a channel not switched off is on. */
  notificationPreferences: z.object({ push: z.boolean(), sms: z.boolean(), muted: z.array(z.string()) }),
  /** Every field the profile bonus asks for is filled (see docs/rules.md). */
  completed: z.boolean(),
  completedAt: z.date().nullable(),
  kycStatus: z.enum(['not_submitted', ...KYC_STATUSES]),
});
export type ProfileOutput = z.infer<typeof ProfileOutput>;
