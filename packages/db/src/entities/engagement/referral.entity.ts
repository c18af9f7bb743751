import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { REFERRAL_STATUSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';

const ReferralSchema = defineEntity({
  name: 'Referral',
  properties: {
    id: uuidKey(),
    inviter: () => p.manyToOne(User).deleteRule('cascade').index(),
    /** One referrer per user. */
    invitee: () => p.manyToOne(User).unique().deleteRule('cascade'),
    code: p.string().length(16),
    status: p.enum(REFERRAL_STATUSES).default('pending'),
    inviterPoints: p.integer().default(0),
    inviteePoints: p.integer().default(0),
    completedAt: p.datetime().nullable(),
    ...timestamps(),
  },
  checks: [{ name: 'referral_no_self_referral', expression: 'inviter_id <> invitee_id' }],
});

export class Referral extends ReferralSchema.class {}
ReferralSchema.setClass(Referral);
