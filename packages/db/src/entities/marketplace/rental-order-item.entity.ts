import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, money, uuidKey } from '../columns.ts';
import { RETURN_CONDITIONS } from '../enums.ts';
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
    /** The order's period, copied here so the exclusion constraint below sees item and period in one row. */
    startTs: p.datetime(),
    endTs: p.datetime(),
    /** Whether this line still holds its item for the period (false once its order expired or was cancelled). */
    blocking: p.boolean().default(true),
    unitPrice: money(),
    amount: money(),
    /** The return inspection: condition, the damage charged for it, why, and photos (upload ids). */
    returnCondition: p.enum(RETURN_CONDITIONS).nullable(),
    damageAmount: money().default(0),
    damageReason: p.text().nullable(),
    damagePhotos: p.json<string[]>().nullable(),
    createdAt: createdAt(),
  },
  indexes: [
    {
      // "Is this item free over [from, to)?" (search's available-between, the checkout's free items):
      // the item's blocking lines ending after `from`, from the index alone — not its whole history.
      name: 'rental_order_item_item_busy',
      expression:
        'create index "rental_order_item_item_busy" on "rental_order_item" ("inventory_item_id", "end_ts") include ("start_ts") where "blocking"',
    },
  ],
  // inventory_item.booked_until raised to the latest end of the written blocking lines (migration
  // market_item_booked_until): per statement over its new rows, one trigger per event.
  triggers: (['insert', 'update'] as const).map((event) => ({
    name: `rental_order_item_booked_until_${event}`,
    timing: 'after' as const,
    events: [event],
    expression: `create trigger rental_order_item_booked_until_${event} after ${event} on rental_order_item referencing new table as new_lines for each statement execute function inventory_item_booked_until()`,
  })),
  checks: [
    {
      // No item is held twice for overlapping periods, whatever races: '[)' ranges, so a period
      // ending when the next starts does not overlap it. (btree_gist gives the uuid its `=`.)
      name: 'rental_order_item_no_double_booking',
      expression:
        "exclude using gist (inventory_item_id with =, tstzrange(start_ts, end_ts, '[)'::text) with &&) where ((blocking and (inventory_item_id is not null)))",
    },
    {
      name: 'rental_order_item_values',
      expression: 'quantity > 0 and unit_price >= 0 and amount >= 0 and damage_amount >= 0',
    },
  ],
});

/** Lines of a rental order (the marketplace seed's rental_items). */
export class RentalOrderItem extends RentalOrderItemSchema.class {}
RentalOrderItemSchema.setClass(RentalOrderItem);
