import { Migration } from '@mikro-orm/migrations';

// Generated, then edited: a down() without the generator's partition noise.
export class Migration20261205011915_market_handover extends Migration {
  override name = 'Migration20261205011915_market_handover';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "seller_staff" ("id" uuid not null, "seller_id" uuid not null, "user_id" uuid not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "seller_staff_user_id_index" on "seller_staff" ("user_id");`);
    this.addSql(
      `alter table "seller_staff" add constraint "seller_staff_seller_id_user_id_unique" unique ("seller_id", "user_id");`,
    );

    this.addSql(
      `create table "seller_schedule_settings" ("id" uuid not null, "seller_id" uuid not null, "hours" jsonb not null, "slot_minutes" int not null default 30, "slot_capacity" int not null default 2, "max_reschedules" int not null default 2, "pickup_grace_minutes" int not null default 60, "reminder_minutes" int not null default 60, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "seller_schedule_settings" add constraint "seller_schedule_settings_seller_id_unique" unique ("seller_id");`,
    );

    this.addSql(`alter table "rental_order" drop constraint "rental_order_total_non_negative";`);
    this.addSql(
      `alter table "rental_order" add "returned_at" timestamptz null, add "late_fee" bigint not null default '0', add "damage_charge" bigint not null default '0', add "captured_amount" bigint not null default '0', add "due_amount" bigint not null default '0', add "dispute_reason" text null;`,
    );
    this.addSql(
      `alter table "rental_order" add constraint "rental_order_total_non_negative" check (total_amount >= 0 and deposit_amount >= 0 and held_amount >= 0 and late_fee >= 0 and damage_charge >= 0 and captured_amount >= 0 and due_amount >= 0);`,
    );

    this.addSql(
      `alter table "schedule" add "status" text not null default 'proposed', add "reschedule_count" int not null default 0, add "reminded_at" timestamptz null;`,
    );
    this.addSql(
      `alter table "schedule" add constraint "schedule_status_check" check ("status" in ('proposed', 'confirmed'));`,
    );

    this.addSql(`alter table "rental_order_item" drop constraint "rental_order_item_values";`);
    this.addSql(
      `alter table "rental_order_item" add "return_condition" text null, add "damage_amount" bigint not null default '0', add "damage_reason" text null, add "damage_photos" jsonb null;`,
    );
    this.addSql(
      `alter table "rental_order_item" add constraint "rental_order_item_return_condition_check" check ("return_condition" in ('ok', 'damaged', 'missing'));`,
    );
    this.addSql(
      `alter table "rental_order_item" add constraint "rental_order_item_values" check (quantity > 0 and unit_price >= 0 and amount >= 0 and damage_amount >= 0);`,
    );

    this.addSql(
      `alter table "seller_staff" add constraint "seller_staff_seller_id_foreign" foreign key ("seller_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "seller_staff" add constraint "seller_staff_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "seller_schedule_settings" add constraint "seller_schedule_settings_seller_id_foreign" foreign key ("seller_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "seller_schedule_settings" add constraint "seller_schedule_settings_values" check (slot_minutes >= 5 and slot_minutes <= 1440 and slot_capacity >= 1 and max_reschedules >= 0 and pickup_grace_minutes >= 0 and reminder_minutes >= 0);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "seller_staff" cascade;`);
    this.addSql(`drop table if exists "seller_schedule_settings" cascade;`);

    this.addSql(`alter table "rental_order" drop constraint "rental_order_total_non_negative";`);
    this.addSql(
      `alter table "rental_order" drop column "returned_at", drop column "late_fee", drop column "damage_charge", drop column "captured_amount", drop column "due_amount", drop column "dispute_reason";`,
    );
    this.addSql(
      `alter table "rental_order" add constraint "rental_order_total_non_negative" check ((total_amount >= 0) AND (deposit_amount >= 0) AND (held_amount >= 0));`,
    );

    this.addSql(
      `alter table "rental_order_item" drop constraint "rental_order_item_return_condition_check";`,
    );
    this.addSql(`alter table "rental_order_item" drop constraint "rental_order_item_values";`);
    this.addSql(
      `alter table "rental_order_item" drop column "return_condition", drop column "damage_amount", drop column "damage_reason", drop column "damage_photos";`,
    );
    this.addSql(
      `alter table "rental_order_item" add constraint "rental_order_item_values" check ((quantity > 0) AND (unit_price >= 0) AND (amount >= 0));`,
    );

    this.addSql(`alter table "schedule" drop constraint "schedule_status_check";`);
    this.addSql(
      `alter table "schedule" drop column "status", drop column "reschedule_count", drop column "reminded_at";`,
    );
  }
}
