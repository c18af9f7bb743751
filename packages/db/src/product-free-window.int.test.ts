import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryItem, Product, RentalOrder, RentalOrderItem } from './entities/index.ts';
import { sqlRows } from './sql-rows.ts';
import { day, dayOf } from './test-days.ts';

let db: TestOrm;
beforeAll(async () => {
  db = await createTestOrm();
});
afterAll(() => db.close());

/**
 * The product's claim: the item it names, its window in days from today (null: unbounded), and
 * whether the claim holds — the item is the product's, available, with no blocking line in the window.
 */
async function claimOf(productId: string) {
  const [row] = await sqlRows<{
    free_item_id: string | null;
    free_from: string | null;
    free_until: string | null;
    holds: boolean | null;
  }>(
    db.orm.em.fork(),
    `select p.free_item_id, p.free_from, p.free_until,
            (select i.product_id = p.id and i.status = 'available'
                    and not exists (select from rental_order_item r where r.inventory_item_id = i.id and r.blocking
                                      and r.end_ts > coalesce(p.free_from, '-infinity')
                                      and r.start_ts < coalesce(p.free_until, 'infinity'))
               from inventory_item i where i.id = p.free_item_id) as holds
       from product p where p.id = $1`,
    [productId],
  );
  return {
    item: row!.free_item_id,
    window: [dayOf(row!.free_from), dayOf(row!.free_until)],
    holds: row!.free_item_id === null ? null : row!.holds,
  };
}

describe("product's known-free window, kept by a trigger on inventory_item", () => {
  it('names an available item, follows its window, drops the claim when the item goes, takes another', async () => {
    const em = db.orm.em.fork();
    const product = anyRow(em, Product);
    await em.flush();
    // No items: no claim.
    expect(await claimOf(product.id)).toEqual({ item: null, window: [null, null], holds: null });

    const first = anyRow(em, InventoryItem, { product });
    await em.flush();
    const second = anyRow(em, InventoryItem, { product });
    await em.flush();
    // The first item written takes the claim, with its (unbounded) window; the second leaves it.
    expect(await claimOf(product.id)).toEqual({ item: first.id, window: [null, null], holds: true });

    const order = anyRow(em, RentalOrder);
    const book = async (item: InventoryItem, from: number, to: number) => {
      anyRow(em, RentalOrderItem, { order, inventoryItem: item, startTs: day(from), endTs: day(to) });
      await em.flush();
    };
    // A booking of the named item cuts the product's window with the item's.
    await book(first, 10, 12);
    expect(await claimOf(product.id)).toEqual({ item: first.id, window: [null, 10], holds: true });
    await book(first, -5, -3);
    expect(await claimOf(product.id)).toEqual({ item: first.id, window: [-3, 10], holds: true });
    // Another item's booking leaves it.
    await book(second, 20, 22);
    expect(await claimOf(product.id)).toEqual({ item: first.id, window: [-3, 10], holds: true });

    // The named item out of service: no claim (it is not taken back by the same write).
    await em.nativeUpdate(InventoryItem, { id: first.id }, { status: 'maintenance' });
    expect(await claimOf(product.id)).toEqual({ item: null, window: [null, null], holds: null });
    // The next write of an available item of the product takes the claim, with that item's window.
    await book(second, 15, 16);
    expect(await claimOf(product.id)).toEqual({ item: second.id, window: [null, 15], holds: true });

    // The named item moved to another product (which keeps its own claim): no claim here.
    const other = anyRow(em, Product);
    const othersItem = anyRow(em, InventoryItem, { product: other });
    await em.flush();
    await em.nativeUpdate(InventoryItem, { id: second.id }, { product: other.id });
    expect(await claimOf(product.id)).toEqual({ item: null, window: [null, null], holds: null });
    expect((await claimOf(other.id)).item).toBe(othersItem.id);

    // Deleted: no claim.
    await em.nativeDelete(InventoryItem, { id: othersItem.id });
    expect(await claimOf(other.id)).toMatchObject({ item: null });
    // An item written back to service takes it again.
    await em.nativeUpdate(InventoryItem, { id: first.id }, { status: 'available' });
    expect(await claimOf(product.id)).toEqual({ item: first.id, window: [-3, 10], holds: true });
  });

  it('holds under concurrent bookings of the named item (writers queue on the item and the product)', async () => {
    const em = db.orm.em.fork();
    const product = anyRow(em, Product);
    const item = anyRow(em, InventoryItem, { product });
    const order = anyRow(em, RentalOrder);
    await em.flush();
    // Disjoint periods ahead, each its own transaction, all at once.
    await Promise.all(
      Array.from({ length: 12 }, async (_, n) => {
        const fork = db.orm.em.fork();
        await fork.transactional(async (tx) => {
          anyRow(tx, RentalOrderItem, {
            order: tx.getReference(RentalOrder, order.id),
            inventoryItem: tx.getReference(InventoryItem, item.id),
            startTs: day(2 + 3 * n),
            endTs: day(4 + 3 * n),
          });
        });
      }),
    );
    const claim = await claimOf(product.id);
    expect(claim.item).toBe(item.id);
    expect(claim.holds).toBe(true);
    // It is the item's own window.
    const [row] = await sqlRows<{ booked_until: string | null; next_booked_from: string | null }>(
      db.orm.em.fork(),
      'select booked_until, next_booked_from from inventory_item where id = $1',
      [item.id],
    );
    expect(claim.window).toEqual([dayOf(row!.booked_until), dayOf(row!.next_booked_from)]);
  });
});
