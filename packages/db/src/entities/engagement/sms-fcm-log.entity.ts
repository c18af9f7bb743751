import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidKey } from '../columns.ts';
import { DELIVERY_STATUSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { Notification } from './notification.entity.ts';

const SmsFcmLogSchema = defineEntity({
  name: 'SmsFcmLog',
  tableName: 'sms_fcm_log',
  properties: {
    id: uuidKey(),
    channel: p.enum(['sms', 'push'] as const),
    user: () => p.manyToOne(User).nullable().deleteRule('set null'),
    /** The notice this attempt delivers (null for texts outside the inbox, e.g. sign-in codes). */
    notification: () => p.manyToOne(Notification).nullable().deleteRule('set null').index(),
    /** Phone number or push token. */
    recipient: p.string().length(512),
    templateCode: p.string().length(60).nullable(),
    content: p.string().length(2000),
    provider: p.string().length(40),
    providerMessageId: p.string().length(128).nullable(),
    status: p.enum(DELIVERY_STATUSES).default('queued').index(),
    error: p.string().length(512).nullable(),
    sentAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['user', 'createdAt'] }, { properties: ['recipient', 'createdAt'] }],
});

/** Every SMS/push handed to a provider; the local providers only write here. `content` has secrets (OTP codes) masked. */
export class SmsFcmLog extends SmsFcmLogSchema.class {}
SmsFcmLogSchema.setClass(SmsFcmLog);
