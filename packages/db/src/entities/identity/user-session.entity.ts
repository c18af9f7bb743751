import { defineEntity, p } from '@mikro-orm/core';
import { createdAt } from '../columns.ts';
import { User } from './user.entity.ts';
import { UserDevice } from './user-device.entity.ts';

const UserSessionSchema = defineEntity({
  name: 'UserSession',
  properties: {
    /** SHA-256 of the session token (hex): the token itself is never stored (Lucia's guide). */
    id: p.string().length(64).primary(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    device: () => p.manyToOne(UserDevice).nullable().deleteRule('set null').index(),
    expiresAt: p.datetime().index(),
    lastUsedAt: p.datetime().onCreate(() => new Date()),
    /** Revoked by logout, refresh (rotation) or account deletion. */
    revokedAt: p.datetime().nullable(),
    ip: p.string().length(64).nullable(),
    userAgent: p.string().length(255).nullable(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['user', 'revokedAt'] }],
});

export class UserSession extends UserSessionSchema.class {}
UserSessionSchema.setClass(UserSession);
