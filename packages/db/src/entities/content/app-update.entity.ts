import { defineEntity, p } from '@mikro-orm/core';
import { serialKey, timestamps } from '../columns.ts';
import { PLATFORMS } from './app-version.entity.ts';

const AppUpdateSchema = defineEntity({
  name: 'AppUpdate',
  properties: {
    id: serialKey(),
    version: p.string().length(32),
    /** Null: applies to every platform. */
    platform: p.enum(PLATFORMS).nullable(),
    title: p.string().length(160),
    notes: p.text(),
    isCritical: p.boolean().default(false),
    releasedAt: p.datetime().index(),
    ...timestamps(),
  },
});

/** "What's new" entries shown in the app. */
export class AppUpdate extends AppUpdateSchema.class {}
AppUpdateSchema.setClass(AppUpdate);
