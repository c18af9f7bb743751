import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, serialKey, timestamps } from '../columns.ts';
import { PACKAGE_PAYMENT_MODELS } from '../enums.ts';

const RentalPackageSchema = defineEntity({
  name: 'RentalPackage',
  properties: {
    id: serialKey(),
    code: p.string().length(40).unique(),
    name: p.string().length(80),
    description: p.string().length(255).nullable(),
    /** Prepaid: `price` charged at start. Postpaid: minutes used × `perMinuteRate` at return. */
    paymentModel: p.enum(PACKAGE_PAYMENT_MODELS).default('prepaid'),
    durationMinutes: p.integer(),
    price: money(),
    /** Overage and postpaid rate, minor units per minute. */
    perMinuteRate: money(),
    /** Minimum wallet balance to start a postpaid rental (held, then captured or released). */
    depositAmount: money().default(0),
    currency: currency(),
    isActive: p.boolean().default(true).index(),
    sortOrder: p.integer().default(0),
    ...timestamps(),
  },
  checks: [
    { name: 'rental_package_duration_positive', expression: 'duration_minutes > 0' },
    {
      name: 'rental_package_amounts_non_negative',
      expression: 'price >= 0 and per_minute_rate >= 0 and deposit_amount >= 0',
    },
  ],
});

export class RentalPackage extends RentalPackageSchema.class {}
RentalPackageSchema.setClass(RentalPackage);
