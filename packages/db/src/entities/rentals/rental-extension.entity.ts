import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, currency, money, uuidKey } from '../columns.ts';
import { Transaction } from '../payments/transaction.entity.ts';
import { Rental } from './rental.entity.ts';
import { RentalPackage } from './rental-package.entity.ts';

const RentalExtensionSchema = defineEntity({
  name: 'RentalExtension',
  properties: {
    id: uuidKey(),
    rental: () => p.manyToOne(Rental).deleteRule('cascade').index(),
    package: () => p.manyToOne(RentalPackage).deleteRule('restrict').index(),
    minutes: p.integer(),
    amount: money(),
    currency: currency(),
    transaction: () => p.manyToOne(Transaction).nullable().deleteRule('set null').index(),
    previousDueAt: p.datetime(),
    newDueAt: p.datetime(),
    idempotencyKey: p.string().length(128).unique(),
    createdAt: createdAt(),
  },
  checks: [
    { name: 'rental_extension_minutes_positive', expression: 'minutes > 0' },
    { name: 'rental_extension_amount_non_negative', expression: 'amount >= 0' },
  ],
});

export class RentalExtension extends RentalExtensionSchema.class {}
RentalExtensionSchema.setClass(RentalExtension);
