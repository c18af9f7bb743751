import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidKey } from '../columns.ts';
import { Station } from './station.entity.ts';
import { StationAmenity } from './station-amenity.entity.ts';

const StationAmenityMappingSchema = defineEntity({
  name: 'StationAmenityMapping',
  properties: {
    id: uuidKey(),
    station: () => p.manyToOne(Station).deleteRule('cascade'),
    amenity: () => p.manyToOne(StationAmenity).deleteRule('cascade').index(),
    note: p.string().length(255).nullable(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['station', 'amenity'] }],
  // The api's station directory asks which stations changed since its last look (services/api, station-directory.source.ts).
  indexes: [{ properties: ['createdAt'] }],
});

export class StationAmenityMapping extends StationAmenityMappingSchema.class {}
StationAmenityMappingSchema.setClass(StationAmenityMapping);
