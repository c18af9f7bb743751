import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { GENDERS } from '../enums.ts';
import { User } from './user.entity.ts';

/**
 * The user's choices for push and SMS (in-app notices always arrive): a channel switched off,
 * or event codes muted. Rules marked mandatory ignore them.
 */
export interface NotificationPreferences {
  push?: boolean;
  sms?: boolean;
  muted?: string[];
}

const UserProfileSchema = defineEntity({
  name: 'UserProfile',
  properties: {
    id: uuidKey(),
    user: () => p.oneToOne(User).owner().unique().deleteRule('cascade'),
    firstName: p.string().length(60).nullable(),
    lastName: p.string().length(60).nullable(),
    avatarUrl: p.string().length(512).nullable(),
    dateOfBirth: p.date().nullable(),
    gender: p.enum(GENDERS).nullable(),
    address: p.string().length(255).nullable(),
    city: p.string().length(80).nullable(),
    language: p.string().length(8).default('en'),
    /** Which notices may reach the user outside the app; see NotificationPreferences. */
    notificationPreferences: p.json<NotificationPreferences>().nullable(),
    /** Set once when every profile field is filled; the 20-point bonus is given then. */
    completedAt: p.datetime().nullable(),
    ...timestamps(),
  },
});

export class UserProfile extends UserProfileSchema.class {}
UserProfileSchema.setClass(UserProfile);
