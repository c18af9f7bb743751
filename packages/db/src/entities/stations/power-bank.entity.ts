import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, timestamps, uuidKey } from '../columns.ts';
import { POWER_BANK_STATUSES } from '../enums.ts';
import { Station } from './station.entity.ts';

const PowerBankSchema = defineEntity({
  name: 'PowerBank',
  properties: {
    id: uuidKey(),
    serialNumber: p.string().length(64).unique(),
    status: p.enum(POWER_BANK_STATUSES).default('in_slot').index(),
    batteryLevel: p.integer().default(0),
    model: p.string().length(60).default('PB-5000'),
    capacityMah: p.integer().default(5000),
    /** What the user is charged when it counts as lost or bought. */
    price: money().default(3000),
    currency: currency(),
    currentStation: () => p.manyToOne(Station).nullable().deleteRule('set null').index(),
    currentSlotIndex: p.integer().nullable(),
    /** The open rental holding it, if any (Rental has the matching partial unique index). */
    currentRentalId: p.uuid().nullable().index(),
    chargeCycles: p.integer().default(0),
    lastSeenAt: p.datetime().nullable(),
    /**
     * When the station put it in its slot (the station's clock bounded by the broker's receive
     * time); null while out of a slot. A return the rental runner missed is billed to it.
     */
    placedAt: p.datetime().nullable(),
    ...timestamps(),
  },
  checks: [
    { name: 'power_bank_battery_range', expression: 'battery_level >= 0 and battery_level <= 100' },
    { name: 'power_bank_price_non_negative', expression: 'price >= 0' },
  ],
});

export class PowerBank extends PowerBankSchema.class {}
PowerBankSchema.setClass(PowerBank);
