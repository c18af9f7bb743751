import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidKey } from '../columns.ts';
import { MARKETPLACE_ROLES } from '../enums.ts';
import { User } from './user.entity.ts';

const UserRoleSchema = defineEntity({
  name: 'UserRole',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    role: p.enum(MARKETPLACE_ROLES),
    description: p.string().length(255).nullable(),
    /** A seller role is an application until an admin approves it; other roles are approved when given. */
    approvedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['user', 'role'] }],
});

/**
 * The marketplace seed's user_roles/roles: which users act as customer, seller
 * or admin. Admin staff permissions themselves are on AdminProfile.
 */
export class UserRole extends UserRoleSchema.class {}
UserRoleSchema.setClass(UserRole);
