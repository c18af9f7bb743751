import { Migration } from '@mikro-orm/migrations';

/** The trigger function as this migration writes it (market_item_free_window's `down` restores it). */
export const BOOKED_UNTIL_FUNCTION = `function inventory_item_booked_until() returns trigger language plpgsql as $$
      begin
        update inventory_item i set booked_until = n.until
          from (select inventory_item_id, max(end_ts) as until from new_lines
                 where blocking and inventory_item_id is not null group by inventory_item_id) n
         where i.id = n.inventory_item_id and (i.booked_until is null or i.booked_until < n.until);
        return null;
      end $$;`;

/**
 * "Available between" without a probe per item for most items (docs/benchmarks.md, bench:market):
 * an item's `booked_until` is the latest end of the blocking order lines it has had (or null),
 * kept by triggers on rental_order_item, so every writer keeps it right. An item whose
 * `booked_until` is not after a period's start is free for it, read from the availability index
 * (`idx_inventory_product_status` includes it); only the others are probed line by line. It only
 * grows: a line that stops blocking leaves it as it was, and the probe then decides.
 */
export class Migration20261206010000_market_item_booked_until extends Migration {
  override name = 'Migration20261206010000_market_item_booked_until';

  override up(): void | Promise<void> {
    this.addSql(`alter table "inventory_item" add "booked_until" timestamptz null;`);
    // Per statement, over its new lines: one update per statement however many lines it wrote.
    // Concurrent writers for one item queue on its row, and the condition is re-read on the
    // newest version, so the larger end wins.
    this.addSql(`create ${BOOKED_UNTIL_FUNCTION}`);
    // A trigger with a transition table takes one event: one for inserts, one for updates.
    this.addSql(`
      create trigger rental_order_item_booked_until_insert after insert on rental_order_item
        referencing new table as new_lines for each statement execute function inventory_item_booked_until();`);
    this.addSql(`
      create trigger rental_order_item_booked_until_update after update on rental_order_item
        referencing new table as new_lines for each statement execute function inventory_item_booked_until();`);
    this.addSql(`
      update "inventory_item" i set "booked_until" = b.until
        from (select inventory_item_id, max(end_ts) as until from rental_order_item
               where blocking and inventory_item_id is not null group by inventory_item_id) b
       where i.id = b.inventory_item_id;`);
    this.addSql(`drop index if exists "idx_inventory_product_status";`);
    this.addSql(
      `create index "idx_inventory_product_status" on "inventory_item" ("product_id", "status") include ("id", "booked_until");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger rental_order_item_booked_until_update on rental_order_item;`);
    this.addSql(`drop trigger rental_order_item_booked_until_insert on rental_order_item;`);
    this.addSql(`drop function inventory_item_booked_until();`);
    this.addSql(`drop index "idx_inventory_product_status";`);
    this.addSql(`alter table "inventory_item" drop column "booked_until";`);
    this.addSql(
      `create index "idx_inventory_product_status" on "inventory_item" ("product_id", "status") include ("id");`,
    );
  }
}
