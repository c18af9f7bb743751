import { defineEntity, p } from '@mikro-orm/core';

export const PLATFORMS = ['ios', 'android', 'web'] as const;
export type Platform = (typeof PLATFORMS)[number];

const AppVersionSchema = defineEntity({
  name: 'AppVersion',
  properties: {
    id: p.integer().primary().autoincrement(),
    platform: p.enum(PLATFORMS),
    version: p.string().length(32),
    minSupportedVersion: p.string().length(32),
    forceUpdate: p.boolean().default(false),
    storeUrl: p.string().length(512).nullable(),
    releaseNotes: p.text().nullable(),
    releasedAt: p.datetime().onCreate(() => new Date()),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['platform', 'version'] }],
});

/** A released app build per platform; the newest one per platform is what `app.version` reports. */
export class AppVersion extends AppVersionSchema.class {}
AppVersionSchema.setClass(AppVersion);
