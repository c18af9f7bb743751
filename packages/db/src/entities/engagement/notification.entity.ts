import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { NOTIFICATION_CHANNELS, NOTIFICATION_STATUSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { NotificationTemplate } from './notification-template.entity.ts';

const NotificationSchema = defineEntity({
  name: 'Notification',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    template: () => p.manyToOne(NotificationTemplate).nullable().deleteRule('set null').index(),
    /** e.g. rental_started, rental_due_soon, rental_overdue, topup_succeeded, order_confirmed. */
    type: p.string().length(60),
    channel: p.enum(NOTIFICATION_CHANNELS).default('in_app'),
    title: p.string().length(160),
    body: p.string().length(2000),
    payload: p.json<Record<string, unknown>>().nullable(),
    status: p.enum(NOTIFICATION_STATUSES).default('sent'),
    /** Idempotency for jobs: one notification per (user, dedupe key), e.g. `overdue:<rental>`. */
    dedupeKey: p.string().length(160).nullable(),
    scheduledFor: p.datetime().nullable().index(),
    sentAt: p.datetime().nullable(),
    readAt: p.datetime().nullable(),
    /**
     * The outbox mark: null until the notification worker has rendered the notice and queued its
     * push/SMS deliveries (the row itself is written in the business event's transaction).
     */
    dispatchedAt: p.datetime().nullable(),
    deletedAt: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [
    { properties: ['user', 'status'] },
    { properties: ['user', 'createdAt'] },
    // The worker's outbox read: only the notices not yet dispatched, oldest first.
    { name: 'notification_undispatched_index', properties: ['createdAt'], where: 'dispatched_at is null' },
  ],
  uniques: [{ properties: ['user', 'dedupeKey'], where: 'dedupe_key is not null' }],
});

/** One notification system for both products (the marketplace seed's notifications merged here). */
export class Notification extends NotificationSchema.class {}
NotificationSchema.setClass(Notification);
