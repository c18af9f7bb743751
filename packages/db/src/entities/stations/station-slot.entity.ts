import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { SLOT_STATUSES } from '../enums.ts';
import { PowerBank } from './power-bank.entity.ts';
import { Station } from './station.entity.ts';

const StationSlotSchema = defineEntity({
  name: 'StationSlot',
  properties: {
    id: uuidKey(),
    station: () => p.manyToOne(Station).deleteRule('cascade'),
    /** 1-based, as printed on the station and used by the station protocol. */
    slotIndex: p.integer(),
    status: p.enum(SLOT_STATUSES).default('empty'),
    /** A power bank sits in at most one slot. */
    powerBank: () => p.oneToOne(PowerBank).owner().nullable().unique().deleteRule('set null'),
    batteryLevel: p.integer().nullable(),
    lastChangedAt: p.datetime().onCreate(() => new Date()),
    ...timestamps(),
  },
  uniques: [{ properties: ['station', 'slotIndex'] }],
  indexes: [
    { properties: ['station', 'status'] },
    // The api's station directory asks which stations changed since its last look (services/api, station-directory.source.ts).
    { properties: ['updatedAt'] },
  ],
  checks: [
    { name: 'station_slot_index_range', expression: 'slot_index >= 1 and slot_index <= 64' },
    {
      name: 'station_slot_battery_range',
      expression: 'battery_level is null or battery_level >= 0 and battery_level <= 100',
    },
  ],
});

export class StationSlot extends StationSlotSchema.class {}
StationSlotSchema.setClass(StationSlot);
