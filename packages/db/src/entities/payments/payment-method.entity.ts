import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, serialKey, timestamps } from '../columns.ts';
import { GATEWAYS } from '../enums.ts';

const PaymentMethodSchema = defineEntity({
  name: 'PaymentMethod',
  properties: {
    id: serialKey(),
    code: p.string().length(40).unique(),
    name: p.string().length(80),
    /** Which gateway implementation handles top-ups with this method. */
    gateway: p.enum(GATEWAYS),
    isActive: p.boolean().default(true),
    minAmount: money().default(100),
    maxAmount: money().default(100_000),
    currency: currency(),
    iconUrl: p.string().length(512).nullable(),
    sortOrder: p.integer().default(0),
    ...timestamps(),
  },
  checks: [
    { name: 'payment_method_amount_range', expression: 'min_amount > 0 and max_amount >= min_amount' },
  ],
});

export class PaymentMethod extends PaymentMethodSchema.class {}
PaymentMethodSchema.setClass(PaymentMethod);
