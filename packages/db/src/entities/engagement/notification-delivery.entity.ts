import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { Notification } from './notification.entity.ts';

export const DELIVERY_CHANNELS = ['push', 'sms'] as const;
/**
 * pending: waiting for its (next) attempt · sending: claimed by a worker, handed to the provider ·
 * sent / failed (attempts used up or nothing to send to) / skipped (the user's preferences) ·
 * unknown: a worker stopped mid-send, so whether the provider got it is not known; never resent.
 */
export const NOTIFICATION_DELIVERY_STATUSES = [
  'pending',
  'sending',
  'sent',
  'failed',
  'skipped',
  'unknown',
] as const;

const NotificationDeliverySchema = defineEntity({
  name: 'NotificationDelivery',
  properties: {
    id: uuidKey(),
    notification: () => p.manyToOne(Notification).deleteRule('cascade'),
    channel: p.enum(DELIVERY_CHANNELS),
    status: p.enum(NOTIFICATION_DELIVERY_STATUSES).default('pending'),
    attempts: p.integer().default(0),
    /** When a pending delivery may next be tried (backoff after a failed attempt). */
    nextAttemptAt: p.datetime(),
    /** A sending delivery whose lease passed belongs to a worker that stopped. */
    leaseUntil: p.datetime().nullable(),
    lastError: p.string().length(512).nullable(),
    sentAt: p.datetime().nullable(),
    ...timestamps(),
  },
  // One delivery per notice and channel: a second dispatch of the same notice queues nothing.
  uniques: [{ properties: ['notification', 'channel'] }],
  indexes: [
    { name: 'notification_delivery_due_index', properties: ['nextAttemptAt'], where: `status = 'pending'` },
    { name: 'notification_delivery_lease_index', properties: ['leaseUntil'], where: `status = 'sending'` },
  ],
  checks: [{ name: 'notification_delivery_attempts_non_negative', expression: 'attempts >= 0' }],
});

/** The push/SMS work of one notice on one channel: the worker's queue and its idempotency key. */
export class NotificationDelivery extends NotificationDeliverySchema.class {}
NotificationDeliverySchema.setClass(NotificationDelivery);
