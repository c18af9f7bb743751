import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, money, uuidKey } from '../columns.ts';
import { InventoryItem } from './inventory-item.entity.ts';
import { Product } from './product.entity.ts';
import { RentalOrder } from './rental-order.entity.ts';

const RentalOrderItemSchema = defineEntity({
  name: 'RentalOrderItem',
  properties: {
    id: uuidKey(),
    order: () => p.manyToOne(RentalOrder).deleteRule('cascade').index(),
    product: () => p.manyToOne(Product).deleteRule('restrict').index(),
    /** The physical unit, once assigned. */
    inventoryItem: () => p.manyToOne(InventoryItem).nullable().deleteRule('set null').index(),
    quantity: p.integer().default(1),
    unitPrice: money(),
    amount: money(),
    createdAt: createdAt(),
  },
  checks: [
    { name: 'rental_order_item_values', expression: 'quantity > 0 and unit_price >= 0 and amount >= 0' },
  ],
});

/** Lines of a rental order (the marketplace seed's rental_items). */
export class RentalOrderItem extends RentalOrderItemSchema.class {}
RentalOrderItemSchema.setClass(RentalOrderItem);
