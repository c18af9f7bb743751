import { defineEntity, p } from '@mikro-orm/core';
import { serialKey, timestamps } from '../columns.ts';

const CountrySchema = defineEntity({
  name: 'Country',
  properties: {
    id: serialKey(),
    /** ISO 3166-1 alpha-2. */
    code: p.string().length(2).unique(),
    name: p.string().length(80),
    dialCode: p.string().length(8),
    currency: p.string().length(3),
    flag: p.string().length(16).nullable(),
    isActive: p.boolean().default(true),
    sortOrder: p.integer().default(0),
    ...timestamps(),
  },
});

export class Country extends CountrySchema.class {}
CountrySchema.setClass(Country);
