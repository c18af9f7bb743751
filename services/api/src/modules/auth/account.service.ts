import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  AdminProfile,
  OAuthAccount,
  OPEN_RENTAL_STATUSES,
  Referral,
  Rental,
  User,
  UserDevice,
  UserKyc,
  UserPoints,
  UserProfile,
  UserSession,
  Wallet,
} from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { uuidv7 } from 'uuidv7';
import { createSession, revokeAllSessions, revokeSession, type SessionAuth } from '../../platform/session.ts';
import { sessionPolicy } from '../../platform/session-middleware.ts';
import type { ClientInfo, Context } from '../../trpc/context.ts';
import { readAccountConfig } from './account-config.ts';
import type {
  DeviceInput,
  DeviceOutput,
  DoneOutput,
  LoginInput,
  MeOutput,
  RefreshOutput,
  RegisterInput,
  SessionOutput,
} from './auth.schemas.ts';
import { consumePhoneVerification, lockPhone } from './otp.service.ts';
import { awardBonus } from './points-bonus.ts';
import { auditUser } from './user-audit.ts';

type AuthedContext = Context & { auth: SessionAuth };

/**
 * Registration: user, profile, wallet, points account, signup bonus (a ledger
 * row), optional pending referral, device and first session — one transaction,
 * so a failure anywhere leaves no partial account.
 */
export async function registerUser(ctx: Context, input: RegisterInput): Promise<SessionOutput> {
  return withConflicts(() =>
    ctx.em.transactional(async (tx) => {
      await lockPhone(tx, input.phone);
      await consumePhoneVerification(tx, input.phone, input.verificationToken);
      if (await tx.count(User, { phone: input.phone })) {
        throw new DomainError('CONFLICT', 'this phone already has an account: log in instead');
      }
      const inviter = input.referralCode ? await findInviter(tx, input.referralCode) : null;
      // As a claim is (referral.service.ts): a code cannot be used from its owner's device.
      if (
        inviter &&
        input.device &&
        (await tx.count(UserDevice, { user: inviter, deviceId: input.device.deviceId }))
      ) {
        throw new DomainError('BUSINESS_RULE', "this device is registered to the code's owner", {
          reason: 'shared_device',
        });
      }
      const user = await createAccount(tx, ctx.client, {
        phone: input.phone,
        email: input.email ?? null,
        fullName: input.fullName ?? null,
        inviter,
        via: 'otp',
      });
      const device = input.device
        ? upsertDevice(tx, user, input.device, await findDevice(tx, user, input.device))
        : null;
      const { token, session } = createSession(tx, user, sessionPolicy(ctx.deps.env), {
        ...sessionMeta(ctx.client),
        deviceId: device?.id ?? null,
      });
      user.lastLoginAt = new Date();
      await tx.flush();
      return { token, expiresAt: session.expiresAt, user: await describeUser(tx, user.id) };
    }),
  );
}

export interface NewAccount {
  phone: string | null;
  email: string | null;
  fullName: string | null;
  inviter: User | null;
  /** How the account was made, for the audit trail: otp, google, apple. */
  via: string;
}

/** The rows every account has, created in the caller's transaction (OTP registration and OAuth sign-up). */
export async function createAccount(
  tx: EntityManager,
  client: ClientInfo,
  account: NewAccount,
): Promise<User> {
  const config = await readAccountConfig(tx);
  const user = tx.create(User, {
    id: uuidv7(),
    phone: account.phone,
    email: account.email,
    fullName: account.fullName,
    status: 'active',
    referralCode: await uniqueReferralCode(tx),
    referredBy: account.inviter,
  });
  const [firstName, ...rest] = account.fullName?.split(/\s+/) ?? [];
  tx.create(UserProfile, { user, firstName: firstName ?? null, lastName: rest.join(' ') || null });
  tx.create(Wallet, { user });
  tx.create(UserPoints, { user });
  // Rewarded when the invitee completes a first rental (RULES.md), not now.
  if (account.inviter) {
    tx.create(Referral, { inviter: account.inviter, invitee: user, code: account.inviter.referralCode });
  }
  // The ledger writes balance and row with its own statement: the points account must exist first.
  await tx.flush();
  await awardBonus(tx, user.id, {
    type: 'signup_bonus',
    points: config.signup_bonus_points,
    idempotencyKey: `signup_bonus:${user.id}`,
    description: 'Welcome bonus',
  });
  auditUser(tx, user.id, 'auth.register', client, {
    via: account.via,
    referred: Boolean(account.inviter),
  });
  return user;
}

/** Phone + a verification token from `verify-otp` → a new session. Staff log in the same way. */
export async function loginUser(ctx: Context, input: LoginInput): Promise<SessionOutput> {
  return ctx.em.transactional(async (tx) => {
    await lockPhone(tx, input.phone);
    await consumePhoneVerification(tx, input.phone, input.verificationToken);
    const user = await tx.findOne(User, { phone: input.phone });
    if (!user || user.status === 'deleted') {
      throw new DomainError('NOT_FOUND', 'no account for this phone: register first');
    }
    if (user.status !== 'active') throw new DomainError('FORBIDDEN', `this account is ${user.status}`);
    return startSession(ctx, tx, user, input.device, 'otp');
  });
}

/** A session for a user already checked to be active (OTP login, OAuth sign-in). */
export async function startSession(
  ctx: Context,
  tx: EntityManager,
  user: User,
  deviceInput: DeviceInput | undefined,
  via: string,
): Promise<SessionOutput> {
  const device = deviceInput
    ? upsertDevice(tx, user, deviceInput, await findDevice(tx, user, deviceInput))
    : null;
  const { token, session } = createSession(tx, user, sessionPolicy(ctx.deps.env), {
    ...sessionMeta(ctx.client),
    deviceId: device?.id ?? null,
  });
  const now = new Date();
  user.lastLoginAt = now;
  const admin = await tx.findOne(AdminProfile, { user, isActive: true });
  if (admin) admin.lastLoginAt = now;
  auditUser(tx, user.id, 'auth.login', ctx.client, { via, admin: admin?.role ?? null });
  await tx.flush();
  return { token, expiresAt: session.expiresAt, user: await describeUser(tx, user.id) };
}

export async function logoutUser(ctx: AuthedContext): Promise<DoneOutput> {
  await ctx.em.transactional(async (tx) => {
    await revokeSession(tx, ctx.auth.session.id);
    auditUser(tx, ctx.auth.user.id, 'auth.logout', ctx.client);
  });
  return { done: true };
}

/**
 * Rotation: a new token for the same user and device; the presented one stops working at once.
 * The revocation is the claim: of concurrent refreshes with one token only the request whose
 * conditional revoke took the session gets a new one, every other is 401 (no grace window:
 * a client that lost the race signs in again rather than two live sessions coming out of one).
 */
export async function refreshSession(ctx: AuthedContext): Promise<RefreshOutput> {
  return ctx.em.transactional(async (tx) => {
    if (!(await revokeSession(tx, ctx.auth.session.id))) {
      throw new DomainError(
        'UNAUTHENTICATED',
        'this session was already refreshed or revoked: sign in again',
      );
    }
    const current = await tx.findOneOrFail(UserSession, { id: ctx.auth.session.id });
    const user = tx.getReference(User, ctx.auth.user.id);
    const { token, session } = createSession(tx, user, sessionPolicy(ctx.deps.env), {
      ...sessionMeta(ctx.client),
      deviceId: current.device?.id ?? null,
    });
    auditUser(tx, ctx.auth.user.id, 'auth.refresh', ctx.client);
    await tx.flush();
    return { token, expiresAt: session.expiresAt };
  });
}

export function getMe(ctx: AuthedContext): Promise<MeOutput> {
  return describeUser(ctx.em, ctx.auth.user.id);
}

/** `POST /auth/device`: registers this installation (or refreshes it) and binds it to the session. */
export async function registerDevice(ctx: AuthedContext, input: DeviceInput): Promise<DeviceOutput> {
  return saveDevice(ctx, input, 'register');
}

/** `PUT /auth/device`: updates an installation registered before (e.g. a rotated push token). */
export async function updateDevice(ctx: AuthedContext, input: DeviceInput): Promise<DeviceOutput> {
  return saveDevice(ctx, input, 'update');
}

async function saveDevice(
  ctx: AuthedContext,
  input: DeviceInput,
  mode: 'register' | 'update',
): Promise<DeviceOutput> {
  return ctx.em.transactional(async (tx) => {
    const user = tx.getReference(User, ctx.auth.user.id);
    const existing = await findDevice(tx, user, input);
    if (mode === 'update' && !existing) {
      throw new DomainError('NOT_FOUND', 'no such device for this user: register it with POST first');
    }
    const device = upsertDevice(tx, user, input, existing);
    await tx.flush();
    await tx.nativeUpdate(UserSession, { id: ctx.auth.session.id }, { device: device.id });
    auditUser(tx, ctx.auth.user.id, `auth.device_${mode}`, ctx.client, {
      deviceId: input.deviceId,
      pushToken: Boolean(input.pushToken),
    });
    return describeDevice(device);
  });
}

/**
 * Deletion keeps the account row and every ledger row (wallet, points, rentals
 * reference them) but strips what identifies the person: phone, email, name,
 * profile, devices, linked OAuth identities and the KYC record; every session
 * is revoked. Refused while the user holds a power bank or owes money.
 */
export async function deleteAccount(ctx: AuthedContext): Promise<DoneOutput> {
  await ctx.em.transactional(async (tx) => {
    const userId = ctx.auth.user.id;
    const user = await tx.findOneOrFail(User, { id: userId });
    if (await tx.count(Rental, { user: userId, status: { $in: [...OPEN_RENTAL_STATUSES] } })) {
      throw new DomainError('BUSINESS_RULE', 'return the power bank before deleting the account', {
        reason: 'open_rental',
      });
    }
    if (await tx.count(Rental, { user: userId, dueAmount: { $gt: 0 } })) {
      throw new DomainError('BUSINESS_RULE', 'pay what is due before deleting the account', {
        reason: 'unpaid_due',
      });
    }
    user.phone = null;
    user.email = null;
    user.fullName = null;
    user.passwordHash = null;
    user.status = 'deleted';
    user.deletedAt = new Date();
    await tx.nativeUpdate(
      UserProfile,
      { user: userId },
      {
        firstName: null,
        lastName: null,
        avatarUrl: null,
        dateOfBirth: null,
        gender: null,
        address: null,
        city: null,
      },
    );
    await tx.nativeDelete(UserDevice, { user: userId });
    await tx.nativeDelete(OAuthAccount, { user: userId });
    await tx.nativeDelete(UserKyc, { user: userId });
    await revokeAllSessions(tx, userId);
    auditUser(tx, userId, 'auth.account_deleted', ctx.client);
  });
  return { done: true };
}

/** What `me` and every sign-in answer with. */
export async function describeUser(em: EntityManager, userId: string): Promise<MeOutput> {
  const user = await em.findOneOrFail(User, { id: userId });
  const [profile, kyc, admin] = await Promise.all([
    em.findOne(UserProfile, { user: userId }, { fields: ['completedAt'] }),
    em.findOne(UserKyc, { user: userId }, { fields: ['status'] }),
    em.findOne(AdminProfile, { user: userId, isActive: true }, { fields: ['role', 'displayName'] }),
  ]);
  return {
    id: user.id,
    phone: user.phone ?? null,
    email: user.email ?? null,
    fullName: user.fullName ?? null,
    status: user.status,
    referralCode: user.referralCode,
    createdAt: user.createdAt,
    profileCompleted: Boolean(profile?.completedAt),
    kycStatus: kyc?.status ?? 'not_submitted',
    admin: admin ? { role: admin.role, displayName: admin.displayName } : null,
  };
}

function describeDevice(device: UserDevice): DeviceOutput {
  return {
    id: device.id,
    deviceId: device.deviceId,
    platform: device.platform,
    pushToken: device.pushToken ?? null,
    appVersion: device.appVersion ?? null,
    model: device.model ?? null,
    lastSeenAt: device.lastSeenAt,
  };
}

function findDevice(tx: EntityManager, user: User, input: DeviceInput): Promise<UserDevice | null> {
  return tx.findOne(UserDevice, { user, deviceId: input.deviceId });
}

function upsertDevice(
  tx: EntityManager,
  user: User,
  input: DeviceInput,
  existing: UserDevice | null,
): UserDevice {
  const device =
    existing ?? tx.create(UserDevice, { user, deviceId: input.deviceId, platform: input.platform });
  device.platform = input.platform;
  if (input.pushToken !== undefined) device.pushToken = input.pushToken;
  if (input.appVersion !== undefined) device.appVersion = input.appVersion;
  if (input.model !== undefined) device.model = input.model;
  device.lastSeenAt = new Date();
  return device;
}

async function findInviter(tx: EntityManager, code: string): Promise<User> {
  const inviter = await tx.findOne(User, { referralCode: code.toUpperCase(), status: 'active' });
  if (!inviter) {
    throw new DomainError('VALIDATION_FAILED', 'unknown referral code', {
      fields: [{ path: 'referralCode', message: 'no active user has this code' }],
    });
  }
  return inviter;
}

/** Unambiguous characters (no 0/O, 1/I): codes are read aloud and typed. */
const REFERRAL_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

async function uniqueReferralCode(tx: EntityManager): Promise<string> {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(8));
    const code = Array.from(bytes, (b) => REFERRAL_ALPHABET[b % 32]).join('');
    if (!(await tx.count(User, { referralCode: code }))) return code;
  }
}

function sessionMeta(client: ClientInfo) {
  return { ip: client.ip, userAgent: client.userAgent };
}

/** A unique index refusing the write (same email, a phone registered concurrently) is a 409, not a 500. */
export async function withConflicts<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      const field = /\((\w+)\)=/.exec(error.message)?.[1];
      throw new DomainError('CONFLICT', field ? `${field} is already in use` : 'already exists', {
        ...(field ? { field } : {}),
      });
    }
    throw error;
  }
}
