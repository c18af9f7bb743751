import { Migration } from '@mikro-orm/migrations';

// Generated, then edited: btree_gist for the exclusion constraint, and a down() without the
// generator's partition noise (it does not see the hand-written monthly partitions).
export class Migration20261204224101_market_availability extends Migration {
  override name = 'Migration20261204224101_market_availability';

  override up(): void | Promise<void> {
    this.addSql(`create extension if not exists btree_gist;`);

    this.addSql(`alter table "rental_order" drop constraint "rental_order_status_check";`);
    this.addSql(`alter table "rental_order" drop constraint "rental_order_total_non_negative";`);
    this.addSql(
      `alter table "rental_order" add "deposit_amount" bigint not null default '0', add "held_amount" bigint not null default '0', add "reserved_until" timestamptz null;`,
    );
    this.addSql(`alter table "rental_order" alter column "status" set default 'draft';`);
    this.addSql(
      `create index "rental_order_status_reserved_until_index" on "rental_order" ("status", "reserved_until");`,
    );
    this.addSql(
      `alter table "rental_order" add constraint "rental_order_status_check" check ("status" in ('draft', 'reserved', 'confirmed', 'active', 'returned', 'completed', 'cancelled', 'expired', 'disputed'));`,
    );
    this.addSql(
      `alter table "rental_order" add constraint "rental_order_total_non_negative" check (total_amount >= 0 and deposit_amount >= 0 and held_amount >= 0);`,
    );

    this.addSql(`alter table "invoice" add "lines" jsonb not null;`);

    this.addSql(
      `alter table "product" add "deposit" bigint not null default '0', add "min_units" int not null default 1, add "max_units" int null, add "city" varchar(80) null, add "latitude" double precision null, add "longitude" double precision null;`,
    );
    this.addSql(`create index "product_city_index" on "product" ("city");`);
    this.addSql(
      `create index "product_search_gin" on "product" using gin (to_tsvector('simple', "title" || ' ' || coalesce("description", '')));`,
    );
    this.addSql(
      `alter table "product" add constraint "product_period_and_deposit" check (deposit >= 0 and min_units >= 1 and (max_units is null or max_units >= min_units));`,
    );

    this.addSql(
      `alter table "rental_order_item" add "start_ts" timestamptz not null, add "end_ts" timestamptz not null, add "blocking" boolean not null default true;`,
    );
    this.addSql(
      `alter table "rental_order_item" add constraint "rental_order_item_no_double_booking" exclude using gist ("inventory_item_id" with =, tstzrange("start_ts", "end_ts", '[)') with &&) where ("blocking" and "inventory_item_id" is not null);`,
    );

    this.addSql(`alter table "user_role" add "approved_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "invoice" drop column "lines";`);

    this.addSql(`drop index "product_city_index";`);
    this.addSql(`drop index "product_search_gin";`);
    this.addSql(`alter table "product" drop constraint "product_period_and_deposit";`);
    this.addSql(
      `alter table "product" drop column "deposit", drop column "min_units", drop column "max_units", drop column "city", drop column "latitude", drop column "longitude";`,
    );

    this.addSql(`drop index "rental_order_status_reserved_until_index";`);
    this.addSql(`alter table "rental_order" drop constraint "rental_order_total_non_negative";`);
    this.addSql(`alter table "rental_order" drop constraint "rental_order_status_check";`);
    this.addSql(
      `alter table "rental_order" drop column "deposit_amount", drop column "held_amount", drop column "reserved_until";`,
    );
    this.addSql(`alter table "rental_order" alter column "status" set default 'pending';`);
    this.addSql(
      `alter table "rental_order" add constraint "rental_order_total_non_negative" check (total_amount >= 0);`,
    );
    this.addSql(
      `alter table "rental_order" add constraint "rental_order_status_check" check ("status" in ('pending', 'confirmed', 'active', 'completed', 'cancelled', 'overdue'));`,
    );

    this.addSql(`alter table "rental_order_item" drop constraint "rental_order_item_no_double_booking";`);
    this.addSql(
      `alter table "rental_order_item" drop column "start_ts", drop column "end_ts", drop column "blocking";`,
    );

    this.addSql(`alter table "user_role" drop column "approved_at";`);
  }
}
