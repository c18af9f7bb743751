import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { User } from './user.entity.ts';

const OAuthAccountSchema = defineEntity({
  name: 'OAuthAccount',
  tableName: 'oauth_account',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    provider: p.enum(['google', 'apple'] as const),
    /** The provider's stable subject id (`sub`). */
    providerUserId: p.string().length(255),
    email: p.string().length(254).nullable(),
    ...timestamps(),
  },
  uniques: [{ properties: ['provider', 'providerUserId'] }],
});

/** A Google/Apple identity linked to a user (Arctic OAuth sign-in). */
export class OAuthAccount extends OAuthAccountSchema.class {}
OAuthAccountSchema.setClass(OAuthAccount);
