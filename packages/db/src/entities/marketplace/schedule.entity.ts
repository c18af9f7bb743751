import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { SCHEDULE_TYPES } from '../enums.ts';
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
    ...timestamps(),
  },
  uniques: [{ properties: ['order', 'type'] }],
});

/** Pickup and return appointments of a rental order. */
export class Schedule extends ScheduleSchema.class {}
ScheduleSchema.setClass(Schedule);
