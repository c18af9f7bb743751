import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import {
  AdminActionLog,
  AdminProfile,
  Rental,
  User,
  UserAuditLog,
  UserDevice,
  UserPoints,
  UserProfile,
  UserSession,
  Wallet,
} from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { revokeAllSessions } from '../../platform/session.ts';
import type { Context } from '../../trpc/context.ts';
import { type AdminCaller, adminMutation } from '../admin-auth/admin-action.ts';
import { lockUserBelow } from '../admin-auth/admin-rank.ts';
import { keysetPage } from './admin-cursor.ts';
import { containing } from './like-pattern.ts';
import type {
  AdminRentalOutput,
  SessionsRevokedOutput,
  UserDetailOutput,
  UserIdInput,
  UserListInput,
  UserListOutput,
  UserReasonInput,
  UserStatusOutput,
  UserSummary,
} from './users.schemas.ts';

type AdminContext = Context & { admin: AdminCaller };

function summaryOf(user: User): UserSummary {
  const kyc = user.kycRecords.isInitialized() ? user.kycRecords.getItems()[0] : undefined;
  return {
    id: user.id,
    phone: user.phone ?? null,
    email: user.email ?? null,
    fullName: user.fullName ?? null,
    status: user.status,
    kycStatus: kyc?.status ?? 'not_submitted',
    createdAt: user.createdAt,
  };
}

export function rentalSummary(
  rental: {
    id: string;
    status: AdminRentalOutput['status'];
    currency: string;
    prepaidAmount: number;
    settledAmount: number;
    dueAmount: number;
    startedAt?: Date | null;
    returnedAt?: Date | null;
    cancelledAt?: Date | null;
    settledAt?: Date | null;
    createdAt: Date;
  },
  userId: string,
): AdminRentalOutput {
  return {
    id: rental.id,
    userId,
    status: rental.status,
    currency: rental.currency,
    prepaidAmount: rental.prepaidAmount,
    settledAmount: rental.settledAmount,
    dueAmount: rental.dueAmount,
    startedAt: rental.startedAt ?? null,
    returnedAt: rental.returnedAt ?? null,
    cancelledAt: rental.cancelledAt ?? null,
    settledAt: rental.settledAt ?? null,
    createdAt: rental.createdAt,
  };
}

/** Users newest first, by any of phone, email, name (contains), status and KYC status. */
export async function listUsers(em: EntityManager, input: UserListInput): Promise<UserListOutput> {
  const where: FilterQuery<User>[] = [{ status: input.status ?? { $ne: 'deleted' } }];
  if (input.q) {
    const like = containing(input.q);
    where.push({
      $or: [{ phone: { $ilike: like } }, { email: { $ilike: like } }, { fullName: { $ilike: like } }],
    });
  }
  if (input.phone) where.push({ phone: { $ilike: containing(input.phone) } });
  if (input.email) where.push({ email: { $ilike: containing(input.email) } });
  if (input.name) where.push({ fullName: { $ilike: containing(input.name) } });
  if (input.kycStatus === 'not_submitted') where.push({ kycRecords: { $none: {} } });
  else if (input.kycStatus) where.push({ kycRecords: { $some: { status: input.kycStatus } } });
  const page = await keysetPage(em, User, { $and: where }, input, 'createdAt', ['kycRecords']);
  return { results: page.rows.map(summaryOf), nextCursor: page.nextCursor };
}

/** Everything support needs about one user on one page. */
export async function userDetail(em: EntityManager, input: UserIdInput): Promise<UserDetailOutput> {
  const userId = input.userId;
  const user = await em.findOne(
    User,
    { id: userId, status: { $ne: 'deleted' } },
    { populate: ['kycRecords'] },
  );
  if (!user) throw new DomainError('NOT_FOUND', 'no such user');
  const newest = { orderBy: { createdAt: 'desc' }, limit: 20 } as const;
  const [profile, staff, wallet, points, devices, sessions, rentals, dues, audit, actions] =
    await Promise.all([
      em.fork().findOne(UserProfile, { user: userId }),
      em.fork().findOne(AdminProfile, { user: userId }, { fields: ['role'] }),
      em.fork().findOne(Wallet, { user: userId }),
      em.fork().findOne(UserPoints, { user: userId }),
      em.fork().find(UserDevice, { user: userId }, { orderBy: { lastSeenAt: 'desc' }, limit: 20 }),
      em.fork().find(UserSession, { user: userId, revokedAt: null, expiresAt: { $gt: new Date() } }, newest),
      em.fork().find(Rental, { user: userId }, newest),
      em.fork().find(Rental, { user: userId, dueAmount: { $gt: 0 } }, { fields: ['dueAmount'] }),
      em.fork().find(UserAuditLog, { user: userId }, { orderBy: { occurredAt: 'desc' }, limit: 20 }),
      em.fork().find(AdminActionLog, { targetType: 'user', targetId: userId }, newest),
    ]);
  const kyc = user.kycRecords.getItems()[0];
  return {
    user: { ...summaryOf(user), referralCode: user.referralCode, lastLoginAt: user.lastLoginAt ?? null },
    profile: profile && {
      firstName: profile.firstName ?? null,
      lastName: profile.lastName ?? null,
      city: profile.city ?? null,
      language: profile.language,
      completedAt: profile.completedAt ?? null,
    },
    staffRole: staff?.role ?? null,
    wallet: wallet && { balance: wallet.balance, held: wallet.held, currency: wallet.currency },
    points: points && { balance: points.balance, lifetimeEarned: points.lifetimeEarned, tier: points.tier },
    devices: devices.map((d) => ({
      id: d.id,
      platform: d.platform,
      model: d.model ?? null,
      appVersion: d.appVersion ?? null,
      lastSeenAt: d.lastSeenAt,
    })),
    sessions: sessions.map((s) => ({
      createdAt: s.createdAt,
      lastUsedAt: s.lastUsedAt,
      expiresAt: s.expiresAt,
      ip: s.ip ?? null,
      userAgent: s.userAgent ?? null,
    })),
    rentals: rentals.map((r) => rentalSummary(r, userId)),
    dueTotal: dues.reduce((sum, r) => sum + r.dueAmount, 0),
    kyc: kyc
      ? {
          id: kyc.id,
          status: kyc.status,
          documentType: kyc.documentType,
          rejectionReason: kyc.rejectionReason ?? null,
          submittedAt: kyc.submittedAt,
          reviewedAt: kyc.reviewedAt ?? null,
        }
      : null,
    auditLog: audit.map((a) => ({
      eventType: a.eventType,
      occurredAt: a.occurredAt,
      metadata: a.metadata ?? null,
    })),
    adminActions: actions.map((a) => ({
      action: a.action,
      reason: a.reason ?? null,
      after: a.after ?? null,
      createdAt: a.createdAt,
    })),
  };
}

/** Sets the status of a user below the caller's rank; `from` is the status it must have now. */
function changeStatus(
  ctx: AdminContext,
  input: UserReasonInput,
  action: string,
  from: User['status'],
  to: User['status'],
): Promise<UserStatusOutput> {
  return adminMutation(ctx, action, async (tx) => {
    const user = await lockUserBelow(tx, ctx.admin, input.userId);
    if (user.status !== from) {
      throw new DomainError('CONFLICT', `the user is ${user.status}, not ${from}`, { status: user.status });
    }
    user.status = to;
    // A suspended user is signed out everywhere at once, not at their sessions' expiry.
    if (to === 'suspended') await revokeAllSessions(tx, user.id);
    return {
      result: { userId: user.id, status: user.status },
      targetType: 'user',
      targetId: user.id,
      before: { status: from },
      after: { status: to },
      reason: input.reason,
    };
  });
}

/** Suspends a user below the caller's rank: every session is revoked at once, and sign-in is refused until reinstated. */
export const suspendUser = (ctx: AdminContext, input: UserReasonInput) =>
  changeStatus(ctx, input, 'user.suspend', 'active', 'suspended');

/** Lets a suspended user below the caller's rank sign in again. */
export const reinstateUser = (ctx: AdminContext, input: UserReasonInput) =>
  changeStatus(ctx, input, 'user.reinstate', 'suspended', 'active');

/** Signs a user below the caller's rank out of every device (a lost phone, a shared account). */
export function revokeUserSessions(
  ctx: AdminContext,
  input: UserReasonInput,
): Promise<SessionsRevokedOutput> {
  return adminMutation(ctx, 'user.revoke_sessions', async (tx) => {
    const user = await lockUserBelow(tx, ctx.admin, input.userId);
    const revoked = await revokeAllSessions(tx, user.id);
    return {
      result: { userId: user.id, revoked },
      targetType: 'user',
      targetId: user.id,
      after: { revoked },
      reason: input.reason,
    };
  });
}
