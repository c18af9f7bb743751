import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { ADMIN_ROLES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';

const AdminProfileSchema = defineEntity({
  name: 'AdminProfile',
  properties: {
    id: uuidKey(),
    user: () => p.oneToOne(User).owner().unique().deleteRule('cascade'),
    role: p.enum(ADMIN_ROLES),
    displayName: p.string().length(120),
    isActive: p.boolean().default(true),
    lastLoginAt: p.datetime().nullable(),
    ...timestamps(),
  },
});

/** Staff access: the role decides which admin procedures the user may call. */
export class AdminProfile extends AdminProfileSchema.class {}
AdminProfileSchema.setClass(AdminProfile);
