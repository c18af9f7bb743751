import { defineEntity, p } from '@mikro-orm/core';
import { serialKey, timestamps } from '../columns.ts';

const BannerSchema = defineEntity({
  name: 'Banner',
  properties: {
    id: serialKey(),
    title: p.string().length(120),
    subtitle: p.string().length(255).nullable(),
    imageUrl: p.string().length(1024),
    linkUrl: p.string().length(1024).nullable(),
    sortOrder: p.integer().default(0),
    isActive: p.boolean().default(true),
    startsAt: p.datetime().nullable(),
    endsAt: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [{ properties: ['isActive', 'sortOrder'] }],
});

export class Banner extends BannerSchema.class {}
BannerSchema.setClass(Banner);
