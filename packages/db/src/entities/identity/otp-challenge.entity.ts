import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';

const OtpChallengeSchema = defineEntity({
  name: 'OtpChallenge',
  properties: {
    id: uuidKey(),
    phone: p.string().length(20),
    /** Hash of the 6-digit code; the code itself is only ever in the SMS. */
    codeHash: p.string().length(128).hidden(),
    purpose: p.string().length(20).default('login'),
    expiresAt: p.datetime(),
    attempts: p.integer().default(0),
    lockedUntil: p.datetime().nullable(),
    consumedAt: p.datetime().nullable(),
    requestIp: p.string().length(64).nullable(),
    ...timestamps(),
  },
  indexes: [{ properties: ['phone', 'createdAt'] }, { properties: ['requestIp', 'createdAt'] }],
  checks: [{ name: 'otp_challenge_attempts_check', expression: 'attempts >= 0' }],
});

/** One OTP sent to a phone: expiry, wrong-try count and lock live here, not in memory. */
export class OtpChallenge extends OtpChallengeSchema.class {}
OtpChallengeSchema.setClass(OtpChallenge);
