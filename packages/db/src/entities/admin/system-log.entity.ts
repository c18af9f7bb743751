import { defineEntity, p } from '@mikro-orm/core';
import { uuidKey } from '../columns.ts';
import { LOG_LEVELS } from '../enums.ts';

const SystemLogSchema = defineEntity({
  name: 'SystemLog',
  properties: {
    id: uuidKey(),
    /** Partition key: part of the primary key, as Postgres requires for partitioned tables. */
    occurredAt: p
      .datetime()
      .primary()
      .onCreate(() => new Date()),
    level: p.enum(LOG_LEVELS),
    /** The service and component, e.g. mqtt-bridge. */
    source: p.string().length(60),
    message: p.string().length(1000),
    context: p.json<Record<string, unknown>>().nullable(),
    /** Raw payload of a rejected hardware message, kept as received. */
    rawPayload: p.text().nullable(),
  },
  indexes: [{ properties: ['source', 'occurredAt'] }, { properties: ['level', 'occurredAt'] }],
});

/**
 * Errors and rejected messages of the services. Range-partitioned by month on
 * `occurred_at` in the migrations (see RentalLocation for why not declared here).
 */
export class SystemLog extends SystemLogSchema.class {}
SystemLogSchema.setClass(SystemLog);
