import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { DEVICE_PLATFORMS } from '../enums.ts';
import { User } from './user.entity.ts';

const UserDeviceSchema = defineEntity({
  name: 'UserDevice',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    /** The app's installation id. */
    deviceId: p.string().length(128),
    platform: p.enum(DEVICE_PLATFORMS),
    pushToken: p.string().length(512).nullable(),
    appVersion: p.string().length(32).nullable(),
    model: p.string().length(80).nullable(),
    lastSeenAt: p.datetime().onCreate(() => new Date()),
    ...timestamps(),
  },
  uniques: [{ properties: ['user', 'deviceId'] }],
});

export class UserDevice extends UserDeviceSchema.class {}
UserDeviceSchema.setClass(UserDevice);
