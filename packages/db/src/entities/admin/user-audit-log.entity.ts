import { defineEntity, p } from '@mikro-orm/core';
import { uuidKey } from '../columns.ts';
import { User } from '../identity/user.entity.ts';
import { Product } from '../marketplace/product.entity.ts';

const UserAuditLogSchema = defineEntity({
  name: 'UserAuditLog',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).nullable().deleteRule('set null'),
    /** e.g. auth.login, profile.update, order.created (the marketplace seed's events.event_type). */
    eventType: p.string().length(60),
    occurredAt: p.datetime().onCreate(() => new Date()),
    product: () => p.manyToOne(Product).nullable().deleteRule('set null').index(),
    ip: p.string().length(64).nullable(),
    userAgent: p.string().length(255).nullable(),
    metadata: p.json<Record<string, unknown>>().nullable(),
  },
  indexes: [{ properties: ['user', 'occurredAt'] }, { properties: ['eventType', 'occurredAt'] }],
});

/** User action trail; also the marketplace seed's `events` table. */
export class UserAuditLog extends UserAuditLogSchema.class {}
UserAuditLogSchema.setClass(UserAuditLog);
