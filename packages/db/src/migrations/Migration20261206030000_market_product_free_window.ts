import { Migration } from '@mikro-orm/migrations';

/**
 * A product's known-free window, so "available between" needs no probe of the product's items for
 * most products (docs/benchmarks.md, bench:market): search reads the product's row for the page
 * anyway, and a window there saves the item index's descent per row (a third of a search's buffer
 * visits).
 *
 * The product names one of its items (`free_item_id`, null: no claim) and carries that item's
 * known-free window [free_from, free_until) (nulls: unbounded; market_item_free_window): a period
 * inside it has that item free. Kept by a row trigger on inventory_item, under the item's row lock:
 * - the named item's window changes: the product's follows it (copied, so it never claims more
 *   than the item's own window, which never holds a blocking line);
 * - the named item stops being available, moves to another product or is deleted: no claim;
 * - a product with no claim takes any available item written (inserted or updated), with its window.
 * Writers of one product queue on its row, and each update's condition (`free_item_id = …`, or
 * `is null`) is re-read on the newest version, so concurrent writers cannot leave a claim on an
 * item that is no longer free over the window. A claim dropped is only taken again when an item
 * of the product is next written: until then search probes the product's items, as before.
 */
export class Migration20261206030000_market_product_free_window extends Migration {
  override name = 'Migration20261206030000_market_product_free_window';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "product" add "free_item_id" uuid null, add "free_from" timestamptz null, add "free_until" timestamptz null;`,
    );
    this.addSql(`
      create function product_free_window() returns trigger language plpgsql as $$
      begin
        if tg_op <> 'INSERT' then
          if tg_op = 'UPDATE' and new.status = 'available' and new.product_id = old.product_id then
            update product set free_from = new.booked_until, free_until = new.next_booked_from
             where id = old.product_id and free_item_id = old.id
               and (free_from is distinct from new.booked_until or free_until is distinct from new.next_booked_from);
          else
            update product set free_item_id = null, free_from = null, free_until = null
             where id = old.product_id and free_item_id = old.id;
          end if;
        end if;
        if tg_op <> 'DELETE' and new.status = 'available' then
          update product set free_item_id = new.id, free_from = new.booked_until, free_until = new.next_booked_from
           where id = new.product_id and free_item_id is null;
        end if;
        return null;
      end $$;`);
    this.addSql(`
      create trigger inventory_item_product_free_window
        after insert or delete or update of status, product_id, booked_until, next_booked_from on inventory_item
        for each row execute function product_free_window();`);
    // Each product's item free now with the window reaching furthest ahead; among equals the last
    // by SKU, since checkouts take free items by SKU ascending (the claim then moves least).
    this.addSql(`
      update "product" p set "free_item_id" = c.id, "free_from" = c.booked_until, "free_until" = c.next_booked_from
        from (select distinct on (product_id) product_id, id, booked_until, next_booked_from
                from inventory_item where status = 'available'
               order by product_id,
                        (coalesce(booked_until, '-infinity') <= now() and coalesce(next_booked_from, 'infinity') > now()) desc,
                        next_booked_from desc nulls first, booked_until asc nulls first, sku desc) c
       where p.id = c.product_id;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger inventory_item_product_free_window on inventory_item;`);
    this.addSql(`drop function product_free_window();`);
    this.addSql(
      `alter table "product" drop column "free_item_id", drop column "free_from", drop column "free_until";`,
    );
  }
}
