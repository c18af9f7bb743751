import { Migration } from '@mikro-orm/migrations';
import { BOOKED_UNTIL_FUNCTION } from './Migration20261206010000_market_item_booked_until.ts';

/**
 * An item's known-free window, [booked_until, next_booked_from) (nulls: unbounded), instead of
 * only the time after its last booking (migration market_item_booked_until): an item booked far
 * ahead is still free, without probing its lines, for a period before that booking — the
 * commonest search, for the coming days, of an item someone has booked for next season.
 *
 * The window only ever shrinks, and never holds a blocking line: a line written over it (insert,
 * or an update that makes it blocking or moves it) cuts it to the part before the line when the
 * line starts after both the window's start and now (the window stays around the present, where
 * searches look), else to the part after the line; several lines of one item in one statement
 * cut it to the part after the last of them ends. A line that stops blocking leaves it as it was.
 * Writers of one item queue on its row and each cut is computed from the row as the previous one
 * left it.
 */
export class Migration20261206013000_market_item_free_window extends Migration {
  override name = 'Migration20261206013000_market_item_free_window';

  override up(): void | Promise<void> {
    this.addSql(`alter table "inventory_item" add "next_booked_from" timestamptz null;`);
    this.addSql(`
      create or replace function inventory_item_booked_until() returns trigger language plpgsql as $$
      begin
        update inventory_item i set
            booked_until = case when n.ahead and n.first_start > coalesce(i.booked_until, '-infinity')
                                then i.booked_until else greatest(i.booked_until, n.last_end) end,
            next_booked_from = case when n.ahead and n.first_start > coalesce(i.booked_until, '-infinity')
                                    then n.first_start else i.next_booked_from end
          from (select inventory_item_id, min(start_ts) as first_start, max(end_ts) as last_end,
                       count(*) = 1 and min(start_ts) > now() as ahead
                  from new_lines where blocking and inventory_item_id is not null
                 group by inventory_item_id) n
         where i.id = n.inventory_item_id
           and n.last_end > coalesce(i.booked_until, '-infinity')
           and n.first_start < coalesce(i.next_booked_from, 'infinity');
        return null;
      end $$;`);
    // Around now: after the lines that started before now, before the first that starts later.
    this.addSql(`
      update "inventory_item" i set "booked_until" = w.after_past, "next_booked_from" = w.first_ahead
        from (select inventory_item_id,
                     max(end_ts) filter (where start_ts < now()) as after_past,
                     min(start_ts) filter (where start_ts >= now()) as first_ahead
                from rental_order_item where blocking and inventory_item_id is not null
               group by inventory_item_id) w
       where i.id = w.inventory_item_id;`);
    this.addSql(`drop index if exists "idx_inventory_product_status";`);
    this.addSql(
      `create index "idx_inventory_product_status" on "inventory_item" ("product_id", "status") include ("id", "booked_until", "next_booked_from");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "idx_inventory_product_status";`);
    this.addSql(`alter table "inventory_item" drop column "next_booked_from";`);
    this.addSql(
      `create index "idx_inventory_product_status" on "inventory_item" ("product_id", "status") include ("id", "booked_until");`,
    );
    this.addSql(`
      update "inventory_item" i set "booked_until" = b.until
        from (select inventory_item_id, max(end_ts) as until from rental_order_item
               where blocking and inventory_item_id is not null group by inventory_item_id) b
       where i.id = b.inventory_item_id;`);
    this.addSql(`create or replace ${BOOKED_UNTIL_FUNCTION}`);
  }
}
