import type { EntityManager } from '@mikro-orm/postgresql';
import { marketDb } from './market-db.ts';

/**
 * Up to `quantity` items of the product free for the whole of [start, end): in service and held
 * by no blocking order line whose period overlaps it (with '[)' periods, a period ending when
 * this one starts does not overlap). A read, so two checkouts may both see an item free: the
 * exclusion constraint on `rental_order_item` decides which of them gets it.
 */
export async function freeItems(
  em: EntityManager,
  productId: string,
  start: Date,
  end: Date,
  quantity: number,
): Promise<string[]> {
  const rows = await marketDb(em)
    .selectFrom('inventory_item as i')
    .select('i.id')
    .where('i.product_id', '=', productId)
    .where('i.status', '=', 'available')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('rental_order_item as r')
            .select('r.id')
            .whereRef('r.inventory_item_id', '=', 'i.id')
            .where('r.blocking', '=', true)
            .where('r.start_ts', '<', end)
            .where('r.end_ts', '>', start),
        ),
      ),
    )
    .orderBy('i.sku')
    .limit(quantity)
    .execute();
  return rows.map((r) => r.id);
}

/** The database refused a second hold of an item over an overlapping period (rental_order_item_no_double_booking). */
export function isDoubleBooking(error: unknown): boolean {
  return error instanceof Error && /rental_order_item_no_double_booking/.test(error.message);
}
