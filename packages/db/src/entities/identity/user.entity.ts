import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { USER_STATUSES } from '../enums.ts';
import { UserKyc } from './user-kyc.entity.ts';

const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: uuidKey(),
    /** E.164; the primary login. Null only for OAuth-only or anonymised accounts. */
    phone: p.string().length(20).nullable().unique(),
    email: p.string().length(254).nullable().unique(),
    /** Marketplace sellers may sign in with a password; power-bank users use OTP. */
    passwordHash: p.string().length(255).nullable().hidden(),
    fullName: p.string().length(120).nullable(),
    countryCode: p.string().length(2).nullable(),
    status: p.enum(USER_STATUSES).default('active').index(),
    referralCode: p.string().length(16).unique(),
    referredBy: () => p.manyToOne(User).nullable().deleteRule('set null').index(),
    lastLoginAt: p.datetime().nullable(),
    deletedAt: p.datetime().nullable(),
    /** The KYC record (at most one: unique on its side), for filtering users by KYC status. */
    kycRecords: () => p.oneToMany(UserKyc).mappedBy('user'),
    ...timestamps(),
  },
});

/** One user base for both products: renters, marketplace customers and sellers, admins. */
export class User extends UserSchema.class {}
UserSchema.setClass(User);
