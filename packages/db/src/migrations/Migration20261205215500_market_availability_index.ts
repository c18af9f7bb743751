import { Migration } from '@mikro-orm/migrations';

/**
 * Availability from indexes alone (docs/benchmarks.md, bench:market): search's "available
 * between" probes each candidate's items, and each item's blocking lines. The item's id joins
 * its product's index entry, and the lines are found by (item, end) over blocking lines only, so
 * a probe reads neither the item's row nor the item's past rentals.
 */
export class Migration20261205215500_market_availability_index extends Migration {
  override name = 'Migration20261205215500_market_availability_index';

  override up(): void | Promise<void> {
    this.addSql(`drop index if exists "idx_inventory_product_status";`);
    this.addSql(
      `create index "idx_inventory_product_status" on "inventory_item" ("product_id", "status") include ("id");`,
    );
    this.addSql(
      `create index "rental_order_item_item_busy" on "rental_order_item" ("inventory_item_id", "end_ts") include ("start_ts") where "blocking";`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "rental_order_item_item_busy";`);
    this.addSql(`drop index "idx_inventory_product_status";`);
    this.addSql(`create index "idx_inventory_product_status" on "inventory_item" ("product_id", "status");`);
  }
}
