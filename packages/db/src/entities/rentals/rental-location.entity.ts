import { defineEntity, p } from '@mikro-orm/core';
import { uuidKey } from '../columns.ts';
import { Rental } from './rental.entity.ts';

const RentalLocationSchema = defineEntity({
  name: 'RentalLocation',
  properties: {
    id: uuidKey(),
    /** Partition key: part of the primary key, as Postgres requires for partitioned tables. */
    recordedAt: p.datetime().primary(),
    rental: () => p.manyToOne(Rental).deleteRule('cascade'),
    latitude: p.double(),
    longitude: p.double(),
    accuracyM: p.integer().nullable(),
  },
  indexes: [{ properties: ['rental', 'recordedAt'] }],
});

/**
 * GPS points sent by the app during a rental. Range-partitioned by month on
 * `recorded_at`: the partitioning is created in the migrations (schema
 * migration + `ensure_monthly_partitions`), not declared here, so MikroORM
 * leaves it unmanaged and the monthly child tables never show up as drift.
 */
export class RentalLocation extends RentalLocationSchema.class {}
RentalLocationSchema.setClass(RentalLocation);
