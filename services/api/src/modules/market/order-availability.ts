import type { EntityManager } from '@mikro-orm/postgresql';
import { type Expression, prepared, queryBuilder, runPrepared } from '@powerbank/db';

/** What the free-items query is bound to (a `prepared` stand-in each, or values). */
export interface FreeItemsParams {
  productId: string;
  start: Date;
  end: Date;
  quantity: number;
}

/**
 * The product's items free for the whole of [start, end): in service and held by no blocking
 * order line whose period overlaps it (with '[)' periods, a period ending when this one starts
 * does not overlap). An item whose known-free window ([booked_until, next_booked_from), kept by
 * triggers, in the availability index) holds the period is free without looking at its lines;
 * only the others are probed. `productId` a value or a reference to the outer query's product
 * (search's "available between" is `exists` of this).
 */
export const freeItemsOf = (productId: string | Expression<string>, start: Date, end: Date) =>
  queryBuilder
    .selectFrom('inventory_item as i')
    .select('i.id')
    .where('i.product_id', '=', productId)
    .where('i.status', '=', 'available')
    .where(({ eb, or, and, not, exists, selectFrom }) =>
      or([
        and([
          or([eb('i.booked_until', 'is', null), eb('i.booked_until', '<=', start)]),
          or([eb('i.next_booked_from', 'is', null), eb('i.next_booked_from', '>=', end)]),
        ]),
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
      ]),
    );

/**
 * Up to `quantity` items of the product free for the whole of [start, end) (`freeItemsOf`). A
 * read, so two checkouts may both see an item free: the exclusion constraint on
 * `rental_order_item` decides which of them gets it. A subquery of the checkout's one read
 * (`CHECKOUT_READ`) and the quote's own statement.
 */
export const freeItemsQuery = (p: FreeItemsParams) =>
  freeItemsOf(p.productId, p.start, p.end).orderBy('i.sku').limit(p.quantity);

const FREE_ITEMS = prepared((_db, p: FreeItemsParams) => freeItemsQuery(p));

/** The ids of up to `quantity` free items (see `freeItemsQuery`). */
export async function freeItems(
  em: EntityManager,
  productId: string,
  start: Date,
  end: Date,
  quantity: number,
): Promise<string[]> {
  const rows = await runPrepared(em, FREE_ITEMS, { productId, start, end, quantity });
  return rows.map((r) => r.id);
}

/** The database refused a second hold of an item over an overlapping period (rental_order_item_no_double_booking). */
export function isDoubleBooking(error: unknown): boolean {
  return error instanceof Error && /rental_order_item_no_double_booking/.test(error.message);
}
