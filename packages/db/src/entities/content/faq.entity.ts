import { defineEntity, p } from '@mikro-orm/core';
import { serialKey, timestamps } from '../columns.ts';

const FaqSchema = defineEntity({
  name: 'Faq',
  tableName: 'faq',
  properties: {
    id: serialKey(),
    category: p.string().length(60).default('general'),
    question: p.string().length(255),
    answer: p.text(),
    locale: p.string().length(8).default('en'),
    sortOrder: p.integer().default(0),
    isActive: p.boolean().default(true),
    ...timestamps(),
  },
  indexes: [{ properties: ['isActive', 'category', 'sortOrder'] }],
});

export class Faq extends FaqSchema.class {}
FaqSchema.setClass(Faq);
