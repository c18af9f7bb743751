import type { EntityManager } from '@mikro-orm/postgresql';
import { type NotificationPreferences, User, UserKyc, UserProfile } from '@powerbank/db';
import type { SessionAuth } from '../../platform/session.ts';
import type { Context } from '../../trpc/context.ts';
import { withConflicts } from '../auth/account.service.ts';
import { readAccountConfig } from '../auth/account-config.ts';
import { awardBonus } from '../auth/points-bonus.ts';
import { auditUser } from '../auth/user-audit.ts';
import type { ProfileOutput, ReplaceProfileInput, UpdateProfileInput } from './profile.schemas.ts';

type AuthedContext = Context & { auth: SessionAuth };

/** The fields a complete profile has; completing it once earns `profile_bonus_points`. */
const REQUIRED_FOR_COMPLETION = ['firstName', 'lastName', 'email', 'dateOfBirth', 'gender', 'city'] as const;
const PROFILE_FIELDS = [
  'firstName',
  'lastName',
  'avatarUrl',
  'dateOfBirth',
  'gender',
  'address',
  'city',
] as const;

export async function getProfile(ctx: AuthedContext): Promise<ProfileOutput> {
  return describeProfile(ctx.em, ctx.auth.user.id);
}

/** PUT: every field as given, the ones left out cleared. */
export function replaceProfile(ctx: AuthedContext, input: ReplaceProfileInput): Promise<ProfileOutput> {
  const full: UpdateProfileInput = {
    firstName: input.firstName,
    lastName: input.lastName,
    email: input.email ?? null,
    avatarUrl: input.avatarUrl ?? null,
    dateOfBirth: input.dateOfBirth ?? null,
    gender: input.gender ?? null,
    address: input.address ?? null,
    city: input.city ?? null,
    language: input.language,
    notificationPreferences: input.notificationPreferences ?? null,
  };
  return changeProfile(ctx, full, 'profile.replace');
}

/** PATCH: only the fields sent. */
export function updateProfile(ctx: AuthedContext, input: UpdateProfileInput): Promise<ProfileOutput> {
  return changeProfile(ctx, input, 'profile.update');
}

async function changeProfile(
  ctx: AuthedContext,
  input: UpdateProfileInput,
  eventType: string,
): Promise<ProfileOutput> {
  const userId = ctx.auth.user.id;
  return withConflicts(() =>
    ctx.em.transactional(async (tx) => {
      const user = await tx.findOneOrFail(User, { id: userId });
      const profile = await tx.findOneOrFail(UserProfile, { user: userId });
      const changed: string[] = [];
      for (const field of PROFILE_FIELDS) {
        const value = input[field];
        if (value !== undefined && value !== profile[field]) {
          (profile as unknown as Record<string, unknown>)[field] = value;
          changed.push(field);
        }
      }
      if (input.language !== undefined && input.language !== profile.language) {
        profile.language = input.language;
        changed.push('language');
      }
      const preferences = input.notificationPreferences;
      if (preferences !== undefined && !samePreferences(preferences, profile.notificationPreferences)) {
        profile.notificationPreferences = preferences === null ? null : { ...preferences };
        changed.push('notificationPreferences');
      }
      if (input.email !== undefined && (input.email?.toLowerCase() ?? null) !== (user.email ?? null)) {
        user.email = input.email?.toLowerCase() ?? null;
        changed.push('email');
      }
      if (changed.includes('firstName') || changed.includes('lastName')) {
        user.fullName = [profile.firstName, profile.lastName].filter(Boolean).join(' ') || null;
      }

      // The bonus is given once, the first time the profile is complete (completedAt is never cleared).
      let bonus = false;
      const complete = REQUIRED_FOR_COMPLETION.every((field) =>
        field === 'email' ? Boolean(user.email) : profile[field] != null,
      );
      if (complete && !profile.completedAt) {
        profile.completedAt = new Date();
        await tx.flush();
        const config = await readAccountConfig(tx);
        bonus = await awardBonus(tx, userId, {
          type: 'profile_bonus',
          points: config.profile_bonus_points,
          idempotencyKey: `profile_bonus:${userId}`,
          description: 'Profile completed',
        });
      }
      auditUser(tx, userId, eventType, ctx.client, { fields: changed, ...(bonus ? { bonus: true } : {}) });
      await tx.flush();
      return describeProfile(tx, userId);
    }),
  );
}

function samePreferences(a: NotificationPreferences | null, b: NotificationPreferences | null | undefined) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

async function describeProfile(em: EntityManager, userId: string): Promise<ProfileOutput> {
  const [user, profile, kyc] = await Promise.all([
    em.findOneOrFail(User, { id: userId }),
    em.findOneOrFail(UserProfile, { user: userId }),
    em.findOne(UserKyc, { user: userId }, { fields: ['status'] }),
  ]);
  return {
    phone: user.phone ?? null,
    email: user.email ?? null,
    firstName: profile.firstName ?? null,
    lastName: profile.lastName ?? null,
    avatarUrl: profile.avatarUrl ?? null,
    dateOfBirth: profile.dateOfBirth ? String(profile.dateOfBirth).slice(0, 10) : null,
    gender: profile.gender ?? null,
    address: profile.address ?? null,
    city: profile.city ?? null,
    language: profile.language,
    notificationPreferences: {
      push: profile.notificationPreferences?.push !== false,
      sms: profile.notificationPreferences?.sms !== false,
      muted: profile.notificationPreferences?.muted ?? [],
    },
    completed: Boolean(profile.completedAt),
    completedAt: profile.completedAt ?? null,
    kycStatus: kyc?.status ?? 'not_submitted',
  };
}
