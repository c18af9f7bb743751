import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OtpChallenge, User } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { generateSessionToken, sessionIdOf } from '../../platform/session.ts';
import type { Context } from '../../trpc/context.ts';
import { readAccountConfig } from './account-config.ts';
import type { GetOtpInput, GetOtpOutput, VerifyOtpInput, VerifyOtpOutput } from './auth.schemas.ts';
import { smsProviderOf } from './sms-provider.ts';

/**
 * OTP sign-in, in two steps:
 * 1. `get-otp` texts a 6-digit code (CSPRNG), stored only as an HMAC keyed with
 *    APP_SECRET (a table dump alone cannot be brute-forced over 10^6 codes).
 * 2. `verify-otp` checks it and turns the challenge into a short-lived,
 *    single-use phone-verification token (stored hashed in the same row, purpose
 *    `verified`), which `login` or `register` then consumes. Verify itself never
 *    signs anyone in, so one code path decides between login and registration.
 * All state (expiry, wrong tries, lock) is in `otp_challenge`, so every api
 * instance agrees; per-phone work is serialised by a transaction advisory lock.
 */
const SENT = 'login';
const VERIFIED = 'verified';

export async function sendOtp(ctx: Context, input: GetOtpInput): Promise<GetOtpOutput> {
  const sms = smsProviderOf(ctx.deps);
  return ctx.em.transactional(async (tx) => {
    await lockPhone(tx, input.phone);
    const config = await readAccountConfig(tx);
    const now = Date.now();
    await refuseWhileLocked(tx, input.phone, now);

    const previous = await tx.findOne(
      OtpChallenge,
      { phone: input.phone, purpose: SENT },
      { orderBy: { createdAt: 'desc' } },
    );
    if (previous) {
      const waitMs = previous.createdAt.getTime() + config.otp_resend_seconds * 1000 - now;
      if (waitMs > 0) throw rateLimited('wait before asking for another code', waitMs);
    }
    const hourAgo = new Date(now - 3_600_000);
    const sentToPhone = await tx.count(OtpChallenge, {
      phone: input.phone,
      purpose: { $in: [SENT, VERIFIED] },
      createdAt: { $gt: hourAgo },
    });
    if (sentToPhone >= config.otp_sends_per_phone_hour) {
      throw rateLimited('too many codes sent to this phone in the last hour', 3_600_000);
    }
    const sentFromIp = await tx.count(OtpChallenge, {
      requestIp: ctx.client.ip,
      createdAt: { $gt: hourAgo },
    });
    if (sentFromIp >= config.otp_sends_per_ip_hour) {
      throw rateLimited('too many codes requested from this address in the last hour', 3_600_000);
    }

    // Wrong tries survive a resend: asking for a new code must not reset the guess budget.
    let carriedAttempts = 0;
    if (previous && !previous.consumedAt && !previous.lockedUntil && previous.expiresAt.getTime() > now) {
      carriedAttempts = previous.attempts;
      previous.expiresAt = new Date(now);
    }

    const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
    const expiresAt = new Date(now + config.otp_ttl_seconds * 1000);
    tx.create(OtpChallenge, {
      phone: input.phone,
      codeHash: codeHashOf(ctx.deps.env.APP_SECRET, input.phone, code),
      purpose: SENT,
      expiresAt,
      attempts: carriedAttempts,
      requestIp: ctx.client.ip.slice(0, 64),
    });
    const user = await tx.findOne(User, { phone: input.phone }, { fields: ['id'] });
    await sms.send(tx, {
      to: input.phone,
      templateCode: 'otp',
      text: `Your PowerBank code is ${code}. It expires in ${Math.round(config.otp_ttl_seconds / 60)} minutes.`,
      secrets: [code],
      userId: user?.id ?? null,
    });
    return { sent: true, expiresAt, resendAfterS: config.otp_resend_seconds };
  });
}

type VerifyOutcome = { ok: true; output: VerifyOtpOutput } | { ok: false; error: DomainError };

export async function verifyOtp(ctx: Context, input: VerifyOtpInput): Promise<VerifyOtpOutput> {
  // A wrong code must still commit its attempt count, so refusals are returned from the transaction, thrown after.
  const outcome = await ctx.em.transactional(async (tx): Promise<VerifyOutcome> => {
    await lockPhone(tx, input.phone);
    const config = await readAccountConfig(tx);
    const now = Date.now();
    const locked = await lockedUntil(tx, input.phone, now);
    if (locked) return { ok: false, error: otpLocked(locked, now) };

    const challenge = await tx.findOne(
      OtpChallenge,
      { phone: input.phone, purpose: SENT, consumedAt: null, expiresAt: { $gt: new Date(now) } },
      { orderBy: { createdAt: 'desc' } },
    );
    if (!challenge) {
      return { ok: false, error: otpInvalid('no valid code for this phone: ask for a new one') };
    }
    if (!sameHash(challenge.codeHash, codeHashOf(ctx.deps.env.APP_SECRET, input.phone, input.code))) {
      challenge.attempts += 1;
      if (challenge.attempts >= config.otp_max_tries) {
        challenge.lockedUntil = new Date(now + config.otp_lock_minutes * 60_000);
        return { ok: false, error: otpLocked(challenge.lockedUntil, now) };
      }
      return {
        ok: false,
        error: otpInvalid('wrong code', { attemptsLeft: config.otp_max_tries - challenge.attempts }),
      };
    }

    const verificationToken = generateSessionToken();
    challenge.purpose = VERIFIED;
    challenge.codeHash = sessionIdOf(verificationToken);
    challenge.expiresAt = new Date(now + config.otp_verification_ttl_seconds * 1000);
    const user = await tx.findOne(
      User,
      { phone: input.phone, status: { $ne: 'deleted' } },
      { fields: ['id'] },
    );
    return {
      ok: true,
      output: { registered: Boolean(user), verificationToken, expiresAt: challenge.expiresAt },
    };
  });
  if (!outcome.ok) throw outcome.error;
  return outcome.output;
}

/**
 * Spends a phone-verification token from `verify-otp` inside the caller's
 * transaction (login, register): valid once, for that phone, until it expires.
 */
export async function consumePhoneVerification(
  tx: EntityManager,
  phone: string,
  verificationToken: string,
): Promise<void> {
  const challenge = await tx.findOne(OtpChallenge, {
    phone,
    purpose: VERIFIED,
    codeHash: sessionIdOf(verificationToken),
    consumedAt: null,
    expiresAt: { $gt: new Date() },
  });
  if (!challenge) {
    throw otpInvalid('phone verification missing, used or expired: verify the phone again', {
      fields: [{ path: 'verificationToken', message: 'invalid or expired' }],
    });
  }
  challenge.consumedAt = new Date();
}

/** Serialises all OTP work on one phone across api instances until the transaction ends. */
export async function lockPhone(tx: EntityManager, phone: string): Promise<void> {
  await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`phone:${phone}`]);
}

async function lockedUntil(tx: EntityManager, phone: string, now: number): Promise<Date | null> {
  const locked = await tx.findOne(
    OtpChallenge,
    { phone, lockedUntil: { $gt: new Date(now) } },
    { orderBy: { lockedUntil: 'desc' }, fields: ['lockedUntil'] },
  );
  return locked?.lockedUntil ?? null;
}

async function refuseWhileLocked(tx: EntityManager, phone: string, now: number): Promise<void> {
  const locked = await lockedUntil(tx, phone, now);
  if (locked) throw otpLocked(locked, now);
}

function codeHashOf(secret: string, phone: string, code: string): string {
  return createHmac('sha256', secret).update(`otp:${phone}:${code}`).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function otpInvalid(message: string, details?: Record<string, unknown>): DomainError {
  return new DomainError('OTP_INVALID', message, details);
}

function otpLocked(until: Date, now: number): DomainError {
  const retryAfterS = Math.max(1, Math.ceil((until.getTime() - now) / 1000));
  return new DomainError('OTP_LOCKED', `too many wrong codes: this phone is locked for ${retryAfterS} s`, {
    retryAfterS,
  });
}

function rateLimited(message: string, waitMs: number): DomainError {
  const retryAfterS = Math.max(1, Math.ceil(waitMs / 1000));
  return new DomainError('RATE_LIMITED', `${message}; retry in ${retryAfterS} s`, { retryAfterS });
}
