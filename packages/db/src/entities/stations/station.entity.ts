import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { STATION_STATUSES } from '../enums.ts';

const StationSchema = defineEntity({
  name: 'Station',
  properties: {
    id: uuidKey(),
    /** Printed in the station's QR code and used in MQTT topics. */
    serialNumber: p.string().length(64).unique(),
    name: p.string().length(120),
    address: p.string().length(255),
    city: p.string().length(80).nullable(),
    latitude: p.double(),
    longitude: p.double(),
    status: p.enum(STATION_STATUSES).default('offline').index(),
    slotCount: p.integer(),
    firmwareVersion: p.string().length(40).nullable(),
    lastHeartbeatAt: p.datetime().nullable().index(),
    openingHours: p.string().length(120).nullable(),
    description: p.text().nullable(),
    isPublic: p.boolean().default(true),
    ...timestamps(),
  },
  indexes: [
    // The api's station directory asks which stations changed since its last look (services/api, station-directory.source.ts).
    { properties: ['updatedAt'] },
    {
      // Radius queries in SQL (earth_box(...) @> ll_to_earth(...)) use this GiST index; the api's
      // nearby endpoint answers from its own in-memory index (services/api, station-geo-index.ts).
      name: 'station_earth_gist',
      expression:
        'create index "station_earth_gist" on "station" using gist (ll_to_earth("latitude", "longitude"))',
    },
  ],
  checks: [{ name: 'station_slot_count_range', expression: 'slot_count >= 1 and slot_count <= 64' }],
});

/** A rental station. Its slot/power-bank state is written only by its actor in station-core. */
export class Station extends StationSchema.class {}
StationSchema.setClass(Station);
