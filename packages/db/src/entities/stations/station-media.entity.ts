import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidKey } from '../columns.ts';
import { MediaUpload } from '../content/media-upload.entity.ts';
import { MEDIA_TYPES } from '../enums.ts';
import { Station } from './station.entity.ts';

const StationMediaSchema = defineEntity({
  name: 'StationMedia',
  properties: {
    id: uuidKey(),
    station: () => p.manyToOne(Station).deleteRule('cascade').index(),
    type: p.enum(MEDIA_TYPES).default('image'),
    url: p.string().length(1024),
    upload: () => p.manyToOne(MediaUpload).nullable().deleteRule('set null').index(),
    isPrimary: p.boolean().default(false),
    sortOrder: p.integer().default(0),
    createdAt: createdAt(),
  },
  // The api's station directory asks which stations changed since its last look (services/api, station-directory.source.ts).
  indexes: [{ properties: ['createdAt'] }],
});

export class StationMedia extends StationMediaSchema.class {}
StationMediaSchema.setClass(StationMedia);
