import { defineEntity, p } from '@mikro-orm/core';
import { timestamps, uuidKey } from '../columns.ts';
import { INVENTORY_STATUSES } from '../enums.ts';
import { Product } from './product.entity.ts';

const InventoryItemSchema = defineEntity({
  name: 'InventoryItem',
  properties: {
    id: uuidKey(),
    product: () => p.manyToOne(Product).deleteRule('restrict'),
    /** SKU or serial number of this physical unit. */
    sku: p.string().length(64).unique(),
    status: p.enum(INVENTORY_STATUSES).default('available'),
    condition: p.string().length(40).nullable(),
    /**
     * The latest end of the blocking order lines this item has had, null if none: written by
     * triggers on rental_order_item (migration market_item_booked_until), never by the ORM. Not
     * after a period's start: the item is free for it without probing its lines.
     */
    bookedUntil: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [
    {
      // A product's items in a status, their ids and booked_until from the index alone (the availability probes).
      name: 'idx_inventory_product_status',
      expression:
        'create index "idx_inventory_product_status" on "inventory_item" ("product_id", "status") include ("id", "booked_until")',
    },
  ],
});

export class InventoryItem extends InventoryItemSchema.class {}
InventoryItemSchema.setClass(InventoryItem);
