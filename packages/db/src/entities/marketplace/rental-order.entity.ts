import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, timestamps, uuidKey } from '../columns.ts';
import { ORDER_STATUSES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';

const RentalOrderSchema = defineEntity({
  name: 'RentalOrder',
  properties: {
    id: uuidKey(),
    customer: () => p.manyToOne(User).deleteRule('restrict'),
    seller: () => p.manyToOne(User).deleteRule('restrict'),
    status: p.enum(ORDER_STATUSES).default('draft'),
    /** What the invoice charges (rent - discounts + tax), without the deposit. */
    totalAmount: money(),
    /** The deposit this order holds on the customer's wallet once paid (the hold's record). */
    depositAmount: money().default(0),
    heldAmount: money().default(0),
    currency: currency(),
    startTs: p.datetime(),
    endTs: p.datetime(),
    /** A reserved order not paid by then expires and frees its items. */
    reservedUntil: p.datetime().nullable(),
    idempotencyKey: p.string().length(128).nullable().unique(),
    /** When the return handover happened. */
    returnedAt: p.datetime().nullable(),
    /** Charged for a late return (per pricing unit after the grace period). */
    lateFee: money().default(0),
    /** The damage charge: the inspection's sum, or what an admin decided on a dispute. */
    damageCharge: money().default(0),
    /** Taken from the deposit hold at settlement; the rest of the hold was released. */
    capturedAmount: money().default(0),
    /** What the hold did not cover: owed by the customer (never a negative balance). */
    dueAmount: money().default(0),
    disputeReason: p.text().nullable(),
    ...timestamps(),
  },
  indexes: [
    { name: 'idx_rental_orders_customer_status', properties: ['customer', 'status'] },
    { properties: ['seller', 'status', 'createdAt'] },
    { properties: ['status', 'reservedUntil'] },
  ],
  checks: [
    {
      name: 'rental_order_total_non_negative',
      expression:
        'total_amount >= 0 and deposit_amount >= 0 and held_amount >= 0 and late_fee >= 0 and damage_charge >= 0 and captured_amount >= 0 and due_amount >= 0',
    },
    { name: 'rental_order_period_ordered', expression: 'end_ts > start_ts' },
  ],
});

/** A marketplace rental order (customer rents a seller's products for a period). */
export class RentalOrder extends RentalOrderSchema.class {}
RentalOrderSchema.setClass(RentalOrder);
