import { defineEntity, p } from '@mikro-orm/core';
import { serialKey, timestamps } from '../columns.ts';
import { NOTIFICATION_CHANNELS } from '../enums.ts';

const NotificationTemplateSchema = defineEntity({
  name: 'NotificationTemplate',
  properties: {
    id: serialKey(),
    code: p.string().length(60),
    channel: p.enum(NOTIFICATION_CHANNELS),
    locale: p.string().length(8).default('en'),
    /** Text with `{{placeholders}}` filled from the notification payload. */
    title: p.string().length(160),
    body: p.string().length(2000),
    ...timestamps(),
  },
  uniques: [{ properties: ['code', 'channel', 'locale'] }],
});

export class NotificationTemplate extends NotificationTemplateSchema.class {}
NotificationTemplateSchema.setClass(NotificationTemplate);
