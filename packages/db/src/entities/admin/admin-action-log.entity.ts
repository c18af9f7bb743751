import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidKey } from '../columns.ts';
import { AdminProfile } from './admin-profile.entity.ts';

const AdminActionLogSchema = defineEntity({
  name: 'AdminActionLog',
  properties: {
    id: uuidKey(),
    admin: () => p.manyToOne(AdminProfile).deleteRule('restrict'),
    action: p.string().length(80),
    targetType: p.string().length(40),
    targetId: p.string().length(64).nullable(),
    before: p.json<unknown>().nullable(),
    after: p.json<unknown>().nullable(),
    /** Why the admin did it, as they gave it. */
    reason: p.string().length(255).nullable(),
    ip: p.string().length(64).nullable(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['admin', 'createdAt'] }, { properties: ['targetType', 'targetId'] }],
});

/** Written by every admin mutation, in the same transaction as the change. */
export class AdminActionLog extends AdminActionLogSchema.class {}
AdminActionLogSchema.setClass(AdminActionLog);
