import { Migration } from '@mikro-orm/migrations';

/** A discount coupon's usage names the rental that consumed it (null while it waits for the next start). */
export class Migration20261204223538_coupon_usage_rental extends Migration {
  override name = 'Migration20261204223538_coupon_usage_rental';

  override up(): void | Promise<void> {
    this.addSql(`alter table "coupon_usage" add "rental_id" uuid null;`);
    this.addSql(
      `alter table "coupon_usage" add constraint "coupon_usage_rental_id_foreign" foreign key ("rental_id") references "rental" ("id") on delete set null;`,
    );
    this.addSql(`create index "coupon_usage_rental_id_index" on "coupon_usage" ("rental_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "coupon_usage" drop constraint "coupon_usage_rental_id_foreign";`);
    this.addSql(`drop index "coupon_usage_rental_id_index";`);
    this.addSql(`alter table "coupon_usage" drop column "rental_id";`);
  }
}
