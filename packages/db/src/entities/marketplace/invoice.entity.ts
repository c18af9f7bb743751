import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, timestamps, uuidKey } from '../columns.ts';
import { INVOICE_STATUSES } from '../enums.ts';
import { RentalOrder } from './rental-order.entity.ts';

const InvoiceSchema = defineEntity({
  name: 'Invoice',
  properties: {
    id: uuidKey(),
    order: () => p.manyToOne(RentalOrder).deleteRule('restrict').index(),
    /** Rent, discounts, tax and deposit lines (packages/domain's market pricing). */
    lines: p.json<{ kind: string; label: string; amount: number }[]>(),
    amountDue: money(),
    amountPaid: money().default(0),
    currency: currency(),
    status: p.enum(INVOICE_STATUSES).default('issued').index(),
    dueDate: p.date(),
    issuedAt: p.datetime().onCreate(() => new Date()),
    ...timestamps(),
  },
  checks: [
    {
      name: 'invoice_amounts',
      expression: 'amount_due >= 0 and amount_paid >= 0 and amount_paid <= amount_due',
    },
  ],
});

export class Invoice extends InvoiceSchema.class {}
InvoiceSchema.setClass(Invoice);
