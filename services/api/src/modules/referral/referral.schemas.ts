import { z } from 'zod';

export const NoInput = z.object({}).strict();

/** A referral code as people type it: trimmed, any case (codes are stored upper-case). */
const ReferralCode = z
  .string()
  .trim()
  .min(4)
  .max(16)
  .transform((code) => code.toUpperCase());

export const MyCodeOutput = z.object({
  code: z.string(),
  /** Friends who signed up or claimed with this code. */
  invited: z.number().int(),
  /** Of them, those whose first completed rental paid the reward. */
  rewarded: z.number().int(),
  points_earned: z.number().int(),
  /** What each side gets on the friend's first completed rental (AppConfig). */
  inviter_points: z.number().int(),
  invitee_points: z.number().int(),
});
export type MyCodeOutput = z.infer<typeof MyCodeOutput>;

export const ValidateInput = z.object({ code: ReferralCode }).strict();
export type ValidateInput = z.infer<typeof ValidateInput>;
export const ValidateOutput = z.object({
  code: z.string(),
  /** True when an active user has this code (who it is is not disclosed). */
  valid: z.boolean(),
  invitee_points: z.number().int(),
});
export type ValidateOutput = z.infer<typeof ValidateOutput>;

export const ClaimInput = z.object({ code: ReferralCode }).strict();
export type ClaimInput = z.infer<typeof ClaimInput>;
export const ClaimOutput = z.object({
  referral_id: z.string(),
  code: z.string(),
  status: z.literal('pending'),
  /** Credited to you on your first completed rental. */
  invitee_points: z.number().int(),
});
export type ClaimOutput = z.infer<typeof ClaimOutput>;
