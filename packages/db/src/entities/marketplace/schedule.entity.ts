import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { SCHEDULE_STATUSES, SCHEDULE_TYPES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { RentalOrder } from './rental-order.entity.ts';

const ScheduleSchema = defineEntity({
  name: 'Schedule',
  properties: {
    id: uuidKey(),
    order: () => p.manyToOne(RentalOrder).deleteRule('cascade').index(),
    type: p.enum(SCHEDULE_TYPES),
    scheduledFor: p.datetime().index(),
    actualAt: p.datetime().nullable(),
    assignedTo: () => p.manyToOne(User).nullable().deleteRule('set null').index(),
    /** Proposed by the customer; confirmed (or moved) by the seller. */
    status: p.enum(SCHEDULE_STATUSES).default('proposed'),
    /** Times the customer moved it (limited by the seller's `max_reschedules`). */
    rescheduleCount: p.integer().default(0),
    /** When the reminder was queued (the reminder job sends one per slot). */
    remindedAt: p.datetime().nullable(),
    ...timestamps(),
  },
  uniques: [{ properties: ['order', 'type'] }],
});

/** Pickup and return appointments of a rental order. */
export class Schedule extends ScheduleSchema.class {}
ScheduleSchema.setClass(Schedule);
