import { defineEntity, p } from '@mikro-orm/core';
import { serialKey, timestamps } from '../columns.ts';

const StationAmenitySchema = defineEntity({
  name: 'StationAmenity',
  properties: {
    id: serialKey(),
    code: p.string().length(40).unique(),
    name: p.string().length(80),
    icon: p.string().length(80).nullable(),
    ...timestamps(),
  },
});

/** Amenity types a station can offer (wifi, seating, 24h…): a static table. */
export class StationAmenity extends StationAmenitySchema.class {}
StationAmenitySchema.setClass(StationAmenity);
