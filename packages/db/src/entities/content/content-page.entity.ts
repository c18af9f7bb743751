import { defineEntity, p } from '@mikro-orm/core';
import { serialKey, timestamps } from '../columns.ts';

const ContentPageSchema = defineEntity({
  name: 'ContentPage',
  properties: {
    id: serialKey(),
    /** terms-of-service, privacy-policy, about… */
    slug: p.string().length(60),
    locale: p.string().length(8).default('en'),
    title: p.string().length(160),
    body: p.text(),
    version: p.string().length(20).default('1'),
    publishedAt: p.datetime().onCreate(() => new Date()),
    ...timestamps(),
  },
  uniques: [{ properties: ['slug', 'locale'] }],
});

export class ContentPage extends ContentPageSchema.class {}
ContentPageSchema.setClass(ContentPage);
