import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { User } from '../identity/user.entity.ts';

/** Opening hours per UTC weekday ('0' = Sunday … '6'): [from, to) in minutes after midnight UTC. */
export type OpeningHours = Partial<Record<'0' | '1' | '2' | '3' | '4' | '5' | '6', [number, number]>>;

const SellerScheduleSettingsSchema = defineEntity({
  name: 'SellerScheduleSettings',
  properties: {
    id: uuidKey(),
    seller: () => p.manyToOne(User).deleteRule('cascade').unique(),
    hours: p.json<OpeningHours>(),
    /** Handovers start on slot boundaries of this length. */
    slotMinutes: p.integer().default(30),
    /** How many handovers (pickups and returns) one slot takes. */
    slotCapacity: p.integer().default(2),
    /** How often a customer may move an appointment. */
    maxReschedules: p.integer().default(2),
    /** A pickup not made this long after its slot cancels the order. */
    pickupGraceMinutes: p.integer().default(60),
    /** The reminder goes out this long before the slot. */
    reminderMinutes: p.integer().default(60),
    ...timestamps(),
  },
  checks: [
    {
      name: 'seller_schedule_settings_values',
      expression:
        'slot_minutes >= 5 and slot_minutes <= 1440 and slot_capacity >= 1 and max_reschedules >= 0 and pickup_grace_minutes >= 0 and reminder_minutes >= 0',
    },
  ],
});

/** A seller's handover hours and slot capacity (absent: the defaults of docs/marketplace.md). */
export class SellerScheduleSettings extends SellerScheduleSettingsSchema.class {}
SellerScheduleSettingsSchema.setClass(SellerScheduleSettings);
