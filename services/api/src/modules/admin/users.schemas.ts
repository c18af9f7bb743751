import { DEVICE_PLATFORMS, KYC_STATUSES, RENTAL_STATUSES, USER_STATUSES } from '@powerbank/db';
import { z } from 'zod';
import { CursorInput, cursorPage } from './admin-cursor.ts';

/** Why staff act: required on every change, kept in AdminActionLog.reason. */
export const AdminReason = z.string().trim().min(3).max(255);
const amount = z.number().int().positive().max(100_000_000);
/** A key the admin's client makes per intended change: a retry (double click) applies it once. */
const idempotencyKey = z.string().trim().min(8).max(128);

export const KYC_STATES = [...KYC_STATUSES, 'not_submitted'] as const;

export const UserListInput = CursorInput.extend({
  /** Matches phone, email or full name (contains, case-insensitive). */
  q: z.string().trim().min(1).max(120).optional(),
  phone: z.string().trim().min(1).max(20).optional(),
  email: z.string().trim().min(1).max(254).optional(),
  name: z.string().trim().min(1).max(120).optional(),
  status: z.enum(USER_STATUSES).optional(),
  kycStatus: z.enum(KYC_STATES).optional(),
});
export type UserListInput = z.infer<typeof UserListInput>;

export const UserSummary = z.object({
  id: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  fullName: z.string().nullable(),
  status: z.enum(USER_STATUSES),
  kycStatus: z.enum(KYC_STATES),
  createdAt: z.date(),
});
export type UserSummary = z.infer<typeof UserSummary>;
export const UserListOutput = cursorPage(UserSummary);
export type UserListOutput = z.infer<typeof UserListOutput>;

export const UserIdInput = z.object({ userId: z.uuid() }).strict();
export type UserIdInput = z.infer<typeof UserIdInput>;

export const AdminRentalOutput = z.object({
  id: z.string(),
  userId: z.string(),
  status: z.enum(RENTAL_STATUSES),
  currency: z.string(),
  prepaidAmount: z.number().int(),
  settledAmount: z.number().int(),
  dueAmount: z.number().int(),
  startedAt: z.date().nullable(),
  returnedAt: z.date().nullable(),
  cancelledAt: z.date().nullable(),
  settledAt: z.date().nullable(),
  createdAt: z.date(),
});
export type AdminRentalOutput = z.infer<typeof AdminRentalOutput>;

export const UserDetailOutput = z.object({
  user: UserSummary.extend({ referralCode: z.string(), lastLoginAt: z.date().nullable() }),
  profile: z
    .object({
      firstName: z.string().nullable(),
      lastName: z.string().nullable(),
      city: z.string().nullable(),
      language: z.string(),
      completedAt: z.date().nullable(),
    })
    .nullable(),
  staffRole: z.string().nullable(),
  wallet: z.object({ balance: z.number().int(), held: z.number().int(), currency: z.string() }).nullable(),
  points: z
    .object({ balance: z.number().int(), lifetimeEarned: z.number().int(), tier: z.string() })
    .nullable(),
  devices: z.array(
    z.object({
      id: z.string(),
      platform: z.enum(DEVICE_PLATFORMS),
      model: z.string().nullable(),
      appVersion: z.string().nullable(),
      lastSeenAt: z.date(),
    }),
  ),
  /** The live sessions (never their tokens): when made, from where, until when. */
  sessions: z.array(
    z.object({
      createdAt: z.date(),
      lastUsedAt: z.date(),
      expiresAt: z.date(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
    }),
  ),
  /** The 20 newest. */
  rentals: z.array(AdminRentalOutput),
  /** What the user still owes, summed over all their rentals' dues. */
  dueTotal: z.number().int(),
  kyc: z
    .object({
      id: z.string(),
      status: z.enum(KYC_STATUSES),
      documentType: z.string(),
      rejectionReason: z.string().nullable(),
      submittedAt: z.date(),
      reviewedAt: z.date().nullable(),
    })
    .nullable(),
  /** The user's own trail (sign-ins, profile, KYC), the 20 newest. */
  auditLog: z.array(z.object({ eventType: z.string(), occurredAt: z.date(), metadata: z.unknown() })),
  /** What staff did to this user, the 20 newest. */
  adminActions: z.array(
    z.object({ action: z.string(), reason: z.string().nullable(), after: z.unknown(), createdAt: z.date() }),
  ),
});
export type UserDetailOutput = z.infer<typeof UserDetailOutput>;

export const UserReasonInput = z.object({ userId: z.uuid(), reason: AdminReason }).strict();
export type UserReasonInput = z.infer<typeof UserReasonInput>;

export const UserStatusOutput = z.object({ userId: z.string(), status: z.enum(USER_STATUSES) });
export type UserStatusOutput = z.infer<typeof UserStatusOutput>;

export const SessionsRevokedOutput = z.object({ userId: z.string(), revoked: z.number().int() });
export type SessionsRevokedOutput = z.infer<typeof SessionsRevokedOutput>;

export const BalanceAdjustInput = z
  .object({
    userId: z.uuid(),
    direction: z.enum(['credit', 'debit']),
    /** Minor units for the wallet, points for points. */
    amount,
    reason: AdminReason,
    idempotencyKey,
  })
  .strict();
export type BalanceAdjustInput = z.infer<typeof BalanceAdjustInput>;

export const BalanceAdjustOutput = z.object({
  userId: z.string(),
  /** Signed change: negative for a debit. */
  delta: z.number().int(),
  balanceAfter: z.number().int(),
  /** True when this key had already been applied: nothing moved now. */
  replayed: z.boolean(),
});
export type BalanceAdjustOutput = z.infer<typeof BalanceAdjustOutput>;

export const WaiveDueInput = z
  .object({
    rentalId: z.uuid(),
    /** Minor units to forgive; omitted → the whole due. */
    amount: amount.optional(),
    /** The due the admin saw: if it is no longer that (a double click, another change), 409 and nothing done. */
    expectedDue: z.number().int().min(0),
    reason: AdminReason,
  })
  .strict();
export type WaiveDueInput = z.infer<typeof WaiveDueInput>;

export const ForceCloseInput = z
  .object({
    rentalId: z.uuid(),
    /**
     * returned: settled as a return now, at `stationSn` (default: where it started); lost: the
     * power bank's price charged; refunded: the start payment given back.
     */
    outcome: z.enum(['returned', 'lost', 'refunded']),
    stationSn: z.string().trim().min(1).max(64).optional(),
    reason: AdminReason,
  })
  .strict();
export type ForceCloseInput = z.infer<typeof ForceCloseInput>;
