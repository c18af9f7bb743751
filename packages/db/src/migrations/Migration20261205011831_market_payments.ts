import { Migration } from '@mikro-orm/migrations';

/**
 * The marketplace's coupons and gateway payments: a discount coupon's usage names the order that
 * took it, and a top-up intent of purpose `market_order` names the order it pays once credited.
 */
export class Migration20261205011831_market_payments extends Migration {
  override name = 'Migration20261205011831_market_payments';

  override up(): void | Promise<void> {
    this.addSql(`alter table "coupon_usage" add "rental_order_id" uuid null;`);
    this.addSql(
      `alter table "coupon_usage" add constraint "coupon_usage_rental_order_id_foreign" foreign key ("rental_order_id") references "rental_order" ("id") on delete set null;`,
    );
    this.addSql(`create index "coupon_usage_rental_order_id_index" on "coupon_usage" ("rental_order_id");`);
    this.addSql(`alter table "payment_intent" add "rental_order_id" uuid null;`);
    this.addSql(
      `alter table "payment_intent" add constraint "payment_intent_rental_order_id_foreign" foreign key ("rental_order_id") references "rental_order" ("id") on delete set null;`,
    );
    this.addSql(
      `create index "payment_intent_rental_order_id_index" on "payment_intent" ("rental_order_id");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "payment_intent" drop constraint "payment_intent_rental_order_id_foreign";`);
    this.addSql(`drop index "payment_intent_rental_order_id_index";`);
    this.addSql(`alter table "payment_intent" drop column "rental_order_id";`);
    this.addSql(`alter table "coupon_usage" drop constraint "coupon_usage_rental_order_id_foreign";`);
    this.addSql(`drop index "coupon_usage_rental_order_id_index";`);
    this.addSql(`alter table "coupon_usage" drop column "rental_order_id";`);
  }
}
