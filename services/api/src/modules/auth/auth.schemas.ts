import { ADMIN_ROLES, DEVICE_PLATFORMS, KYC_STATUSES, USER_STATUSES } from '@powerbank/db';
import { z } from 'zod';

/** E.164: `+`, country code, subscriber number; no spaces. */
export const Phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +4915112345678');
const Token = z.string().min(16).max(64);

export const NoInput = z.object({}).strict();
export type NoInput = z.infer<typeof NoInput>;

export const GetOtpInput = z.object({ phone: Phone }).strict();
export type GetOtpInput = z.infer<typeof GetOtpInput>;
export const GetOtpOutput = z.object({
  sent: z.literal(true),
  expiresAt: z.date(),
  /** Seconds before another code may be asked for. */
  resendAfterS: z.number().int(),
});
export type GetOtpOutput = z.infer<typeof GetOtpOutput>;

export const VerifyOtpInput = z
  .object({ phone: Phone, code: z.string().regex(/^\d{6}$/, 'must be 6 digits') })
  .strict();
export type VerifyOtpInput = z.infer<typeof VerifyOtpInput>;
export const VerifyOtpOutput = z.object({
  /** Whether this phone has an account: call `login` if so, else `register`. */
  registered: z.boolean(),
  /** Single-use proof that the caller holds this phone, for `login` or `register`. */
  verificationToken: z.string(),
  expiresAt: z.date(),
});
export type VerifyOtpOutput = z.infer<typeof VerifyOtpOutput>;

export const DeviceInput = z
  .object({
    /** The app installation's own id. */
    deviceId: z.string().min(1).max(128),
    platform: z.enum(DEVICE_PLATFORMS),
    pushToken: z.string().min(1).max(512).nullish(),
    appVersion: z.string().max(32).nullish(),
    model: z.string().max(80).nullish(),
  })
  .strict();
export type DeviceInput = z.infer<typeof DeviceInput>;
export const DeviceOutput = z.object({
  id: z.string(),
  deviceId: z.string(),
  platform: z.enum(DEVICE_PLATFORMS),
  pushToken: z.string().nullable(),
  appVersion: z.string().nullable(),
  model: z.string().nullable(),
  lastSeenAt: z.date(),
});
export type DeviceOutput = z.infer<typeof DeviceOutput>;

export const LoginInput = z
  .object({ phone: Phone, verificationToken: Token, device: DeviceInput.optional() })
  .strict();
export type LoginInput = z.infer<typeof LoginInput>;

export const RegisterInput = z
  .object({
    phone: Phone,
    verificationToken: Token,
    fullName: z.string().trim().min(1).max(120).optional(),
    email: z.email().max(254).optional(),
    /** Another user's referral code (case-insensitive). */
    referralCode: z.string().trim().min(4).max(16).optional(),
    device: DeviceInput.optional(),
  })
  .strict();
export type RegisterInput = z.infer<typeof RegisterInput>;

export const MeOutput = z.object({
  id: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  fullName: z.string().nullable(),
  status: z.enum(USER_STATUSES),
  referralCode: z.string(),
  createdAt: z.date(),
  profileCompleted: z.boolean(),
  kycStatus: z.enum(['not_submitted', ...KYC_STATUSES]),
  /** Present for staff: the AdminProfile role decides which admin procedures they may call. */
  admin: z.object({ role: z.enum(ADMIN_ROLES), displayName: z.string() }).nullable(),
});
export type MeOutput = z.infer<typeof MeOutput>;

export const SessionOutput = z.object({
  /** Send as `Authorization: Bearer <token>`; shown only here. */
  token: z.string(),
  expiresAt: z.date(),
  user: MeOutput,
});
export type SessionOutput = z.infer<typeof SessionOutput>;

export const RefreshOutput = z.object({ token: z.string(), expiresAt: z.date() });
export type RefreshOutput = z.infer<typeof RefreshOutput>;

export const DoneOutput = z.object({ done: z.literal(true) });
export type DoneOutput = z.infer<typeof DoneOutput>;
