import { defineEntity, p } from '@mikro-orm/core';
import { serialKey, timestamps } from '../columns.ts';

const ContactInfoSchema = defineEntity({
  name: 'ContactInfo',
  properties: {
    id: serialKey(),
    kind: p.enum(['email', 'phone', 'whatsapp', 'address', 'website', 'hours'] as const),
    label: p.string().length(80),
    value: p.string().length(255),
    sortOrder: p.integer().default(0),
    isActive: p.boolean().default(true),
    ...timestamps(),
  },
});

export class ContactInfo extends ContactInfoSchema.class {}
ContactInfoSchema.setClass(ContactInfo);
