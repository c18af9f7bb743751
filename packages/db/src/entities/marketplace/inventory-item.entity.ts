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
     * The item's known-free window, [bookedUntil, nextBookedFrom) (null: unbounded): no blocking
     * order line of the item falls in it. Written by triggers on rental_order_item (migrations
     * market_item_booked_until, market_item_free_window), never by the ORM: a period inside it
     * is free without probing the item's lines.
     */
    bookedUntil: p.datetime().nullable(),
    nextBookedFrom: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [
    {
      // A product's items in a status, their ids and free windows from the index alone (the availability probes).
      name: 'idx_inventory_product_status',
      expression:
        'create index "idx_inventory_product_status" on "inventory_item" ("product_id", "status") include ("id", "booked_until", "next_booked_from")',
    },
  ],
  triggers: [
    {
      // The product's known-free window follows the item it names (migration market_product_free_window).
      name: 'inventory_item_product_free_window',
      timing: 'after',
      events: ['insert', 'update', 'delete'],
      expression:
        'create trigger inventory_item_product_free_window after insert or delete or update of status, product_id, booked_until, next_booked_from on inventory_item for each row execute function product_free_window()',
    },
  ],
});

export class InventoryItem extends InventoryItemSchema.class {}
InventoryItemSchema.setClass(InventoryItem);
