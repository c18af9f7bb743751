import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, timestamps, uuidKey } from '../columns.ts';
import { PAYMENT_MODES, RENTAL_STATUSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { PowerBank } from '../stations/power-bank.entity.ts';
import { Station } from '../stations/station.entity.ts';
import { RentalPackage } from './rental-package.entity.ts';

const RentalSchema = defineEntity({
  name: 'Rental',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).deleteRule('restrict'),
    package: () => p.manyToOne(RentalPackage).deleteRule('restrict').index(),
    /** Known once the station chose a slot; null while pending. */
    powerBank: () => p.manyToOne(PowerBank).nullable().deleteRule('restrict').index(),
    startStation: () => p.manyToOne(Station).deleteRule('restrict').index(),
    startSlotIndex: p.integer().nullable(),
    returnStation: () => p.manyToOne(Station).nullable().deleteRule('restrict').index(),
    returnSlotIndex: p.integer().nullable(),
    status: p.enum(RENTAL_STATUSES).default('pending'),
    paymentMode: p.enum(PAYMENT_MODES),
    currency: currency(),
    /** What was paid at start, split by source (points valued at the AppConfig ratio). */
    prepaidAmount: money().default(0),
    walletPaid: money().default(0),
    pointsPaid: p.integer().default(0),
    /** Wallet hold for postpaid rentals. */
    heldAmount: money().default(0),
    overageAmount: money().default(0),
    lateFeeAmount: money().default(0),
    /** Total charged at settlement beyond the prepaid part. */
    settledAmount: money().default(0),
    /** What is still owed (a due); blocks new rentals while > 0. */
    dueAmount: money().default(0),
    extensionCount: p.integer().default(0),
    /** Client-supplied key: a retried start returns this rental, never a second debit. */
    idempotencyKey: p.string().length(128),
    dispenseCommandId: p.string().length(64).nullable().unique(),
    failureReason: p.string().length(120).nullable(),
    startedAt: p.datetime().nullable(),
    dueAt: p.datetime().nullable().index(),
    returnedAt: p.datetime().nullable(),
    settledAt: p.datetime().nullable(),
    cancelledAt: p.datetime().nullable(),
    ...timestamps(),
  },
  uniques: [
    { properties: ['user', 'idempotencyKey'] },
    {
      // At most one open rental per power bank, enforced by Postgres.
      name: 'rental_one_open_per_power_bank',
      properties: ['powerBank'],
      where: `status in ('pending', 'dispensing', 'active', 'overdue')`,
    },
  ],
  indexes: [
    { properties: ['user', 'status'] },
    { properties: ['user', 'createdAt'] },
    { properties: ['status', 'dueAt'] },
    {
      // Every start counts the rentals still waiting for a power bank at its station: only those, not
      // every rental the station ever started (a busy station's history would be scanned each time).
      name: 'rental_start_station_id_waiting_index',
      properties: ['startStation'],
      where: `status in ('pending', 'dispensing')`,
    },
  ],
  checks: [
    {
      name: 'rental_amounts_non_negative',
      expression:
        'prepaid_amount >= 0 and wallet_paid >= 0 and points_paid >= 0 and held_amount >= 0 and overage_amount >= 0 and late_fee_amount >= 0 and settled_amount >= 0 and due_amount >= 0',
    },
    { name: 'rental_extension_count_range', expression: 'extension_count >= 0 and extension_count <= 3' },
  ],
});

export class Rental extends RentalSchema.class {}
RentalSchema.setClass(Rental);
