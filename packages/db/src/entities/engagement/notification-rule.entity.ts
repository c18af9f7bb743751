import { defineEntity, p } from '@mikro-orm/core';
import { serialKey, timestamps } from '../columns.ts';
import { NotificationTemplate } from './notification-template.entity.ts';

const NotificationRuleSchema = defineEntity({
  name: 'NotificationRule',
  properties: {
    id: serialKey(),
    /** The domain event that triggers it, e.g. rental_overdue. */
    eventCode: p.string().length(60).index(),
    template: () => p.manyToOne(NotificationTemplate).deleteRule('cascade').index(),
    /** Critical alerts also go out by push/SMS (logged to SmsFcmLog). */
    channels: p.json<string[]>(),
    /** Minutes relative to the event (negative = before, e.g. due soon). */
    offsetMinutes: p.integer().default(0),
    isActive: p.boolean().default(true),
    /** Sent on every channel it names whatever the user's preferences say (OTP codes, overdue alerts). */
    mandatory: p.boolean().default(false),
    priority: p.integer().default(0),
    ...timestamps(),
  },
});

export class NotificationRule extends NotificationRuleSchema.class {}
NotificationRuleSchema.setClass(NotificationRule);
