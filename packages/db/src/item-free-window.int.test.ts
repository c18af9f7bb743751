import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryItem, RentalOrder, RentalOrderItem } from './entities/index.ts';
import { sqlRows } from './sql-rows.ts';
import { day, dayOf } from './test-days.ts';

let db: TestOrm;
beforeAll(async () => {
  db = await createTestOrm();
});
afterAll(() => db.close());

/** The item's window in days from today (null: unbounded), and whether a blocking line falls in it. */
async function windowOf(itemId: string) {
  const [row] = await sqlRows<{
    booked_until: string | null;
    next_booked_from: string | null;
    crossed: boolean;
  }>(
    db.orm.em.fork(),
    `select i.booked_until, i.next_booked_from,
            exists (select from rental_order_item r where r.inventory_item_id = i.id and r.blocking
                      and r.end_ts > coalesce(i.booked_until, '-infinity')
                      and r.start_ts < coalesce(i.next_booked_from, 'infinity')) as crossed
       from inventory_item i where i.id = $1`,
    [itemId],
  );
  return { window: [dayOf(row!.booked_until), dayOf(row!.next_booked_from)], crossed: row!.crossed };
}

describe("inventory_item's known-free window, kept by triggers on rental_order_item", () => {
  it('shrinks around the present as lines are written, never holds a blocking line, ignores freed lines', async () => {
    const em = db.orm.em.fork();
    const item = anyRow(em, InventoryItem);
    const order = anyRow(em, RentalOrder);
    await em.flush();
    expect(await windowOf(item.id)).toEqual({ window: [null, null], crossed: false });

    const book = async (...periods: [number, number][]) => {
      const lines = periods.map(([from, to]) =>
        anyRow(em, RentalOrderItem, { order, inventoryItem: item, startTs: day(from), endTs: day(to) }),
      );
      await em.flush();
      return lines;
    };
    // Ahead of now: the window ends where the line starts.
    await book([10, 12]);
    expect(await windowOf(item.id)).toEqual({ window: [null, 10], crossed: false });
    // Outside the window: nothing to cut.
    await book([20, 22]);
    expect(await windowOf(item.id)).toEqual({ window: [null, 10], crossed: false });
    // Started before now: the window starts where it ends.
    await book([-5, -3]);
    expect(await windowOf(item.id)).toEqual({ window: [-3, 10], crossed: false });
    // Ahead again, inside the window: cut before it.
    const [soon] = await book([2, 4]);
    expect(await windowOf(item.id)).toEqual({ window: [-3, 2], crossed: false });
    // Two lines over the window in one flush: it starts after the later one (cut after each, or
    // after both when they come in one statement).
    await book([0, 1], [1, 2]);
    expect(await windowOf(item.id)).toEqual({ window: [2, 2], crossed: false });
    // A line that stops blocking leaves the window as it was (the probe decides there).
    await em.nativeUpdate(RentalOrderItem, { id: soon!.id }, { blocking: false });
    expect(await windowOf(item.id)).toEqual({ window: [2, 2], crossed: false });
    // Made blocking again over the (empty) window's edge: still no line inside it.
    await em.nativeUpdate(RentalOrderItem, { id: soon!.id }, { blocking: true });
    expect((await windowOf(item.id)).crossed).toBe(false);
  });
});
