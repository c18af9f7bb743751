import { Migration } from '@mikro-orm/migrations';

export class Migration20261204224341_check extends Migration {
  override name = 'Migration20261204224341_check';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "achievement" ("id" serial primary key, "code" varchar(40) not null, "name" varchar(80) not null, "description" varchar(255) not null, "metric" varchar(40) not null, "threshold" int not null, "reward_points" int not null, "icon_url" varchar(512) null, "is_active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "achievement" add constraint "achievement_code_unique" unique ("code");`);

    this.addSql(
      `create table "app_config" ("id" serial primary key, "key" varchar(80) not null, "value" jsonb not null, "description" varchar(255) null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "app_config" add constraint "app_config_key_unique" unique ("key");`);

    this.addSql(
      `create table "app_update" ("id" serial primary key, "version" varchar(32) not null, "platform" text null, "title" varchar(160) not null, "notes" text not null, "is_critical" boolean not null default false, "released_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "app_update_released_at_index" on "app_update" ("released_at");`);

    this.addSql(
      `create table "app_version" ("id" serial primary key, "platform" text not null, "version" varchar(32) not null, "min_supported_version" varchar(32) not null, "force_update" boolean not null default false, "store_url" varchar(512) null, "release_notes" text null, "released_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "app_version" add constraint "app_version_platform_version_unique" unique ("platform", "version");`,
    );

    this.addSql(
      `create table "banner" ("id" serial primary key, "title" varchar(120) not null, "subtitle" varchar(255) null, "image_url" varchar(1024) not null, "link_url" varchar(1024) null, "sort_order" int not null default 0, "is_active" boolean not null default true, "starts_at" timestamptz null, "ends_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "banner_is_active_sort_order_index" on "banner" ("is_active", "sort_order");`);

    this.addSql(
      `create table "category" ("id" serial primary key, "name" varchar(80) not null, "slug" varchar(80) not null, "parent_id" int null, "is_active" boolean not null default true, "sort_order" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "category" add constraint "category_slug_unique" unique ("slug");`);
    this.addSql(`create index "category_parent_id_index" on "category" ("parent_id");`);

    this.addSql(
      `create table "contact_info" ("id" serial primary key, "kind" text not null, "label" varchar(80) not null, "value" varchar(255) not null, "sort_order" int not null default 0, "is_active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );

    this.addSql(
      `create table "content_page" ("id" serial primary key, "slug" varchar(60) not null, "locale" varchar(8) not null default 'en', "title" varchar(160) not null, "body" text not null, "version" varchar(20) not null default '1', "published_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "content_page" add constraint "content_page_slug_locale_unique" unique ("slug", "locale");`,
    );

    this.addSql(
      `create table "country" ("id" serial primary key, "code" varchar(2) not null, "name" varchar(80) not null, "dial_code" varchar(8) not null, "currency" varchar(3) not null, "flag" varchar(16) null, "is_active" boolean not null default true, "sort_order" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "country" add constraint "country_code_unique" unique ("code");`);

    this.addSql(
      `create table "coupon" ("id" serial primary key, "code" varchar(40) not null, "description" varchar(255) null, "kind" text not null, "value" int not null, "currency" varchar(3) not null default 'USD', "valid_from" timestamptz not null, "valid_to" timestamptz not null, "per_user_limit" int not null default 1, "global_limit" int null, "used_count" int not null default 0, "is_active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "coupon" add constraint "coupon_code_unique" unique ("code");`);

    this.addSql(
      `create table "faq" ("id" serial primary key, "category" varchar(60) not null default 'general', "question" varchar(255) not null, "answer" text not null, "locale" varchar(8) not null default 'en', "sort_order" int not null default 0, "is_active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(
      `create index "faq_is_active_category_sort_order_index" on "faq" ("is_active", "category", "sort_order");`,
    );

    this.addSql(
      `create table "notification_template" ("id" serial primary key, "code" varchar(60) not null, "channel" text not null, "locale" varchar(8) not null default 'en', "title" varchar(160) not null, "body" varchar(2000) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "notification_template" add constraint "notification_template_code_channel_locale_unique" unique ("code", "channel", "locale");`,
    );

    this.addSql(
      `create table "notification_rule" ("id" serial primary key, "event_code" varchar(60) not null, "template_id" int not null, "channels" jsonb not null, "offset_minutes" int not null default 0, "is_active" boolean not null default true, "priority" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`create index "notification_rule_event_code_index" on "notification_rule" ("event_code");`);
    this.addSql(`create index "notification_rule_template_id_index" on "notification_rule" ("template_id");`);

    this.addSql(
      `create table "otp_challenge" ("id" uuid not null, "phone" varchar(20) not null, "code_hash" varchar(128) not null, "purpose" varchar(20) not null default 'login', "expires_at" timestamptz not null, "attempts" int not null default 0, "locked_until" timestamptz null, "consumed_at" timestamptz null, "request_ip" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "otp_challenge_phone_created_at_index" on "otp_challenge" ("phone", "created_at");`,
    );
    this.addSql(
      `create index "otp_challenge_request_ip_created_at_index" on "otp_challenge" ("request_ip", "created_at");`,
    );

    this.addSql(
      `create table "payment_method" ("id" serial primary key, "code" varchar(40) not null, "name" varchar(80) not null, "gateway" text not null, "is_active" boolean not null default true, "min_amount" bigint not null default '100', "max_amount" bigint not null default '100000', "currency" varchar(3) not null default 'USD', "icon_url" varchar(512) null, "sort_order" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "payment_method" add constraint "payment_method_code_unique" unique ("code");`);

    this.addSql(
      `create table "rate_limit_counter" ("key" varchar(200) not null, "hits" int not null, "reset_at" timestamptz not null, primary key ("key"));`,
    );

    this.addSql(
      `create table "rental_package" ("id" serial primary key, "code" varchar(40) not null, "name" varchar(80) not null, "description" varchar(255) null, "payment_model" text not null default 'prepaid', "duration_minutes" int not null, "price" bigint not null, "per_minute_rate" bigint not null, "deposit_amount" bigint not null default '0', "currency" varchar(3) not null default 'USD', "is_active" boolean not null default true, "sort_order" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(`alter table "rental_package" add constraint "rental_package_code_unique" unique ("code");`);
    this.addSql(`create index "rental_package_is_active_index" on "rental_package" ("is_active");`);

    this.addSql(
      `create table "station" ("id" uuid not null, "serial_number" varchar(64) not null, "name" varchar(120) not null, "address" varchar(255) not null, "city" varchar(80) null, "latitude" double precision not null, "longitude" double precision not null, "status" text not null default 'offline', "slot_count" int not null, "firmware_version" varchar(40) null, "last_heartbeat_at" timestamptz null, "opening_hours" varchar(120) null, "description" text null, "is_public" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "station" add constraint "station_serial_number_unique" unique ("serial_number");`,
    );
    this.addSql(`create index "station_status_index" on "station" ("status");`);
    this.addSql(`create index "station_last_heartbeat_at_index" on "station" ("last_heartbeat_at");`);
    this.addSql(`create index "station_updated_at_index" on "station" ("updated_at");`);
    this.addSql(
      `create index "station_earth_gist" on "station" using gist (ll_to_earth("latitude", "longitude"));`,
    );

    this.addSql(
      `create table "power_bank" ("id" uuid not null, "serial_number" varchar(64) not null, "status" text not null default 'in_slot', "battery_level" int not null default 0, "model" varchar(60) not null default 'PB-5000', "capacity_mah" int not null default 5000, "price" bigint not null default '3000', "currency" varchar(3) not null default 'USD', "current_station_id" uuid null, "current_slot_index" int null, "current_rental_id" uuid null, "charge_cycles" int not null default 0, "last_seen_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "power_bank" add constraint "power_bank_serial_number_unique" unique ("serial_number");`,
    );
    this.addSql(`create index "power_bank_status_index" on "power_bank" ("status");`);
    this.addSql(`create index "power_bank_current_station_id_index" on "power_bank" ("current_station_id");`);
    this.addSql(`create index "power_bank_current_rental_id_index" on "power_bank" ("current_rental_id");`);

    this.addSql(
      `create table "station_actor_state" ("serial_number" varchar(64) not null, "machine_version" int not null, "snapshot" jsonb not null, "version" int not null, "updated_at" timestamptz not null, primary key ("serial_number"));`,
    );

    this.addSql(
      `create table "station_amenity" ("id" serial primary key, "code" varchar(40) not null, "name" varchar(80) not null, "icon" varchar(80) null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "station_amenity" add constraint "station_amenity_code_unique" unique ("code");`,
    );

    this.addSql(
      `create table "station_amenity_mapping" ("id" uuid not null, "station_id" uuid not null, "amenity_id" int not null, "note" varchar(255) null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "station_amenity_mapping_amenity_id_index" on "station_amenity_mapping" ("amenity_id");`,
    );
    this.addSql(
      `create index "station_amenity_mapping_created_at_index" on "station_amenity_mapping" ("created_at");`,
    );
    this.addSql(
      `alter table "station_amenity_mapping" add constraint "station_amenity_mapping_station_id_amenity_id_unique" unique ("station_id", "amenity_id");`,
    );

    this.addSql(
      `create table "station_command" ("id" varchar(64) not null, "serial_number" varchar(64) not null, "kind" varchar(32) not null, "slot_index" int null, "rental_id" uuid null, "payload" jsonb not null, "status" text not null default 'pending', "result" jsonb null, "sent_at" timestamptz null, "resolved_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "station_command_rental_id_index" on "station_command" ("rental_id");`);
    this.addSql(
      `create index "station_command_serial_number_created_at_index" on "station_command" ("serial_number", "created_at");`,
    );
    this.addSql(
      `create index "station_command_status_created_at_index" on "station_command" ("status", "created_at");`,
    );

    this.addSql(
      `create table "station_slot" ("id" uuid not null, "station_id" uuid not null, "slot_index" int not null, "status" text not null default 'empty', "power_bank_id" uuid null, "battery_level" int null, "last_changed_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "station_slot" add constraint "station_slot_power_bank_id_unique" unique ("power_bank_id");`,
    );
    this.addSql(
      `create index "station_slot_station_id_status_index" on "station_slot" ("station_id", "status");`,
    );
    this.addSql(`create index "station_slot_updated_at_index" on "station_slot" ("updated_at");`);
    this.addSql(
      `alter table "station_slot" add constraint "station_slot_station_id_slot_index_unique" unique ("station_id", "slot_index");`,
    );

    this.addSql(
      `create table "subscription_plan" ("id" serial primary key, "name" varchar(80) not null, "discount_pct" int not null, "duration_days" int not null, "price" bigint not null default '0', "currency" varchar(3) not null default 'USD', "included_products" jsonb not null, "is_active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "subscription_plan" add constraint "subscription_plan_name_unique" unique ("name");`,
    );

    this.addSql(
      `create table "system_log" ("id" uuid not null, "occurred_at" timestamptz not null, "level" text not null, "source" varchar(60) not null, "message" varchar(1000) not null, "context" jsonb null, "raw_payload" text null, primary key ("id", "occurred_at"));`,
    );
    this.addSql(
      `create index "system_log_source_occurred_at_index" on "system_log" ("source", "occurred_at");`,
    );
    this.addSql(
      `create index "system_log_level_occurred_at_index" on "system_log" ("level", "occurred_at");`,
    );

    this.addSql(
      `create table "users" ("id" uuid not null, "phone" varchar(20) null, "email" varchar(254) null, "password_hash" varchar(255) null, "full_name" varchar(120) null, "country_code" varchar(2) null, "status" text not null default 'active', "referral_code" varchar(16) not null, "referred_by_id" uuid null, "last_login_at" timestamptz null, "deleted_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "users" add constraint "users_phone_unique" unique ("phone");`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(`create index "users_status_index" on "users" ("status");`);
    this.addSql(`alter table "users" add constraint "users_referral_code_unique" unique ("referral_code");`);
    this.addSql(`create index "users_referred_by_id_index" on "users" ("referred_by_id");`);

    this.addSql(
      `create table "station_issue" ("id" uuid not null, "station_id" uuid not null, "user_id" uuid not null, "issue_type" varchar(40) not null, "description" varchar(2000) not null, "status" text not null default 'open', "resolved_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "station_issue_station_id_status_index" on "station_issue" ("station_id", "status");`,
    );
    this.addSql(
      `create index "station_issue_user_id_created_at_index" on "station_issue" ("user_id", "created_at");`,
    );

    this.addSql(
      `create table "sms_fcm_log" ("id" uuid not null, "channel" text not null, "user_id" uuid null, "recipient" varchar(512) not null, "template_code" varchar(60) null, "content" varchar(2000) not null, "provider" varchar(40) not null, "provider_message_id" varchar(128) null, "status" text not null default 'queued', "error" varchar(512) null, "sent_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "sms_fcm_log_status_index" on "sms_fcm_log" ("status");`);
    this.addSql(
      `create index "sms_fcm_log_user_id_created_at_index" on "sms_fcm_log" ("user_id", "created_at");`,
    );
    this.addSql(
      `create index "sms_fcm_log_recipient_created_at_index" on "sms_fcm_log" ("recipient", "created_at");`,
    );

    this.addSql(
      `create table "rental_order" ("id" uuid not null, "customer_id" uuid not null, "seller_id" uuid not null, "status" text not null default 'draft', "total_amount" bigint not null, "deposit_amount" bigint not null default '0', "held_amount" bigint not null default '0', "currency" varchar(3) not null default 'USD', "start_ts" timestamptz not null, "end_ts" timestamptz not null, "reserved_until" timestamptz null, "idempotency_key" varchar(128) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "rental_order" add constraint "rental_order_idempotency_key_unique" unique ("idempotency_key");`,
    );
    this.addSql(
      `create index "idx_rental_orders_customer_status" on "rental_order" ("customer_id", "status");`,
    );
    this.addSql(
      `create index "rental_order_seller_id_status_created_at_index" on "rental_order" ("seller_id", "status", "created_at");`,
    );
    this.addSql(
      `create index "rental_order_status_reserved_until_index" on "rental_order" ("status", "reserved_until");`,
    );

    this.addSql(
      `create table "schedule" ("id" uuid not null, "order_id" uuid not null, "type" text not null, "scheduled_for" timestamptz not null, "actual_at" timestamptz null, "assigned_to_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "schedule_order_id_index" on "schedule" ("order_id");`);
    this.addSql(`create index "schedule_scheduled_for_index" on "schedule" ("scheduled_for");`);
    this.addSql(`create index "schedule_assigned_to_id_index" on "schedule" ("assigned_to_id");`);
    this.addSql(
      `alter table "schedule" add constraint "schedule_order_id_type_unique" unique ("order_id", "type");`,
    );

    this.addSql(
      `create table "invoice" ("id" uuid not null, "order_id" uuid not null, "lines" jsonb not null, "amount_due" bigint not null, "amount_paid" bigint not null default '0', "currency" varchar(3) not null default 'USD', "status" text not null default 'issued', "due_date" date not null, "issued_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "invoice_order_id_index" on "invoice" ("order_id");`);
    this.addSql(`create index "invoice_status_index" on "invoice" ("status");`);

    this.addSql(
      `create table "rental" ("id" uuid not null, "user_id" uuid not null, "package_id" int not null, "power_bank_id" uuid null, "start_station_id" uuid not null, "start_slot_index" int null, "return_station_id" uuid null, "return_slot_index" int null, "status" text not null default 'pending', "payment_mode" text not null, "currency" varchar(3) not null default 'USD', "prepaid_amount" bigint not null default '0', "wallet_paid" bigint not null default '0', "points_paid" int not null default 0, "held_amount" bigint not null default '0', "overage_amount" bigint not null default '0', "late_fee_amount" bigint not null default '0', "settled_amount" bigint not null default '0', "due_amount" bigint not null default '0', "extension_count" int not null default 0, "idempotency_key" varchar(128) not null, "dispense_command_id" varchar(64) null, "failure_reason" varchar(120) null, "started_at" timestamptz null, "due_at" timestamptz null, "returned_at" timestamptz null, "settled_at" timestamptz null, "cancelled_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "rental_package_id_index" on "rental" ("package_id");`);
    this.addSql(`create index "rental_power_bank_id_index" on "rental" ("power_bank_id");`);
    this.addSql(`create index "rental_start_station_id_index" on "rental" ("start_station_id");`);
    this.addSql(`create index "rental_return_station_id_index" on "rental" ("return_station_id");`);
    this.addSql(
      `alter table "rental" add constraint "rental_dispense_command_id_unique" unique ("dispense_command_id");`,
    );
    this.addSql(`create index "rental_due_at_index" on "rental" ("due_at");`);
    this.addSql(`create index "rental_user_id_status_index" on "rental" ("user_id", "status");`);
    this.addSql(`create index "rental_user_id_created_at_index" on "rental" ("user_id", "created_at");`);
    this.addSql(`create index "rental_status_due_at_index" on "rental" ("status", "due_at");`);
    this.addSql(
      `create index "rental_start_station_id_waiting_index" on "rental" ("start_station_id") where status in ('pending', 'dispensing');`,
    );
    this.addSql(
      `alter table "rental" add constraint "rental_user_id_idempotency_key_unique" unique ("user_id", "idempotency_key");`,
    );
    this.addSql(
      `create unique index "rental_one_open_per_power_bank" on "rental" ("power_bank_id") where status in ('pending', 'dispensing', 'active', 'overdue');`,
    );

    this.addSql(
      `create table "transactions" ("id" uuid not null, "user_id" uuid not null, "type" text not null, "status" text not null default 'pending', "amount" bigint not null, "currency" varchar(3) not null default 'USD', "wallet_amount" bigint not null default '0', "points_used" int not null default 0, "gateway" text not null, "gateway_txn_id" varchar(128) null, "payment_method_id" int null, "rental_id" uuid null, "invoice_id" uuid null, "rental_order_id" uuid null, "paid_at" timestamptz null, "description" varchar(255) null, "metadata" jsonb null, "idempotency_key" varchar(128) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "transactions_payment_method_id_index" on "transactions" ("payment_method_id");`,
    );
    this.addSql(`create index "transactions_rental_id_index" on "transactions" ("rental_id");`);
    this.addSql(`create index "transactions_invoice_id_index" on "transactions" ("invoice_id");`);
    this.addSql(`create index "transactions_rental_order_id_index" on "transactions" ("rental_order_id");`);
    this.addSql(
      `alter table "transactions" add constraint "transactions_idempotency_key_unique" unique ("idempotency_key");`,
    );
    this.addSql(
      `create index "transactions_user_id_created_at_index" on "transactions" ("user_id", "created_at");`,
    );
    this.addSql(
      `create index "transactions_status_created_at_index" on "transactions" ("status", "created_at");`,
    );
    this.addSql(
      `create unique index "transactions_gateway_gateway_txn_id_unique" on "transactions" ("gateway", "gateway_txn_id") where gateway_txn_id is not null;`,
    );

    this.addSql(
      `create table "rental_location" ("id" uuid not null, "recorded_at" timestamptz not null, "rental_id" uuid not null, "latitude" double precision not null, "longitude" double precision not null, "accuracy_m" int null, primary key ("id", "recorded_at"));`,
    );
    this.addSql(
      `create index "rental_location_rental_id_recorded_at_index" on "rental_location" ("rental_id", "recorded_at");`,
    );

    this.addSql(
      `create table "rental_issue" ("id" uuid not null, "rental_id" uuid not null, "user_id" uuid not null, "issue_type" varchar(40) not null, "description" varchar(2000) not null, "status" text not null default 'open', "resolved_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "rental_issue_rental_id_index" on "rental_issue" ("rental_id");`);
    this.addSql(`create index "rental_issue_status_index" on "rental_issue" ("status");`);
    this.addSql(
      `create index "rental_issue_user_id_created_at_index" on "rental_issue" ("user_id", "created_at");`,
    );

    this.addSql(
      `create table "rental_extension" ("id" uuid not null, "rental_id" uuid not null, "package_id" int not null, "minutes" int not null, "amount" bigint not null, "currency" varchar(3) not null default 'USD', "transaction_id" uuid null, "previous_due_at" timestamptz not null, "new_due_at" timestamptz not null, "idempotency_key" varchar(128) not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "rental_extension_rental_id_index" on "rental_extension" ("rental_id");`);
    this.addSql(`create index "rental_extension_package_id_index" on "rental_extension" ("package_id");`);
    this.addSql(
      `create index "rental_extension_transaction_id_index" on "rental_extension" ("transaction_id");`,
    );
    this.addSql(
      `alter table "rental_extension" add constraint "rental_extension_idempotency_key_unique" unique ("idempotency_key");`,
    );

    this.addSql(
      `create table "referral" ("id" uuid not null, "inviter_id" uuid not null, "invitee_id" uuid not null, "code" varchar(16) not null, "status" text not null default 'pending', "inviter_points" int not null default 0, "invitee_points" int not null default 0, "completed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "referral_inviter_id_index" on "referral" ("inviter_id");`);
    this.addSql(`alter table "referral" add constraint "referral_invitee_id_unique" unique ("invitee_id");`);

    this.addSql(
      `create table "product" ("id" uuid not null, "seller_id" uuid not null, "category_id" int not null, "title" varchar(160) not null, "description" text null, "base_price" bigint not null, "currency" varchar(3) not null default 'USD', "pricing_unit" text not null default 'day', "deposit" bigint not null default '0', "min_units" int not null default 1, "max_units" int null, "city" varchar(80) null, "latitude" double precision null, "longitude" double precision null, "active" boolean not null default true, "popularity_score" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "product_seller_id_index" on "product" ("seller_id");`);
    this.addSql(`create index "product_city_index" on "product" ("city");`);
    this.addSql(`create index "idx_products_category_active" on "product" ("category_id", "active");`);
    this.addSql(
      `create index "product_active_popularity_score_created_at_index" on "product" ("active", "popularity_score", "created_at");`,
    );
    this.addSql(
      `create index "product_search_gin" on "product" using gin (to_tsvector('simple', "title" || ' ' || coalesce("description", '')));`,
    );

    this.addSql(
      `create table "product_asset" ("id" uuid not null, "product_id" uuid not null, "asset_type" text not null default 'image', "url" varchar(1024) not null, "drm_protected" boolean not null default false, "sort_order" int not null default 0, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "product_asset_product_id_index" on "product_asset" ("product_id");`);

    this.addSql(
      `create table "inventory_item" ("id" uuid not null, "product_id" uuid not null, "sku" varchar(64) not null, "status" text not null default 'available', "condition" varchar(40) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "inventory_item" add constraint "inventory_item_sku_unique" unique ("sku");`);
    this.addSql(`create index "idx_inventory_product_status" on "inventory_item" ("product_id", "status");`);

    this.addSql(
      `create table "rental_order_item" ("id" uuid not null, "order_id" uuid not null, "product_id" uuid not null, "inventory_item_id" uuid null, "quantity" int not null default 1, "start_ts" timestamptz not null, "end_ts" timestamptz not null, "blocking" boolean not null default true, "unit_price" bigint not null, "amount" bigint not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "rental_order_item_order_id_index" on "rental_order_item" ("order_id");`);
    this.addSql(`create index "rental_order_item_product_id_index" on "rental_order_item" ("product_id");`);
    this.addSql(
      `create index "rental_order_item_inventory_item_id_index" on "rental_order_item" ("inventory_item_id");`,
    );

    this.addSql(
      `create table "payment_intent" ("id" uuid not null, "user_id" uuid not null, "payment_method_id" int not null, "gateway" text not null, "purpose" varchar(20) not null default 'topup', "amount" bigint not null, "currency" varchar(3) not null default 'USD', "status" text not null default 'created', "gateway_intent_id" varchar(128) null, "checkout_url" varchar(1024) null, "client_secret" varchar(255) null, "transaction_id" uuid null, "idempotency_key" varchar(128) null, "expires_at" timestamptz not null, "succeeded_at" timestamptz null, "credited_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "payment_intent_payment_method_id_index" on "payment_intent" ("payment_method_id");`,
    );
    this.addSql(`create index "payment_intent_transaction_id_index" on "payment_intent" ("transaction_id");`);
    this.addSql(
      `alter table "payment_intent" add constraint "payment_intent_idempotency_key_unique" unique ("idempotency_key");`,
    );
    this.addSql(
      `create index "payment_intent_user_id_status_index" on "payment_intent" ("user_id", "status");`,
    );
    this.addSql(
      `create index "payment_intent_status_expires_at_index" on "payment_intent" ("status", "expires_at");`,
    );
    this.addSql(
      `create unique index "payment_intent_gateway_gateway_intent_id_unique" on "payment_intent" ("gateway", "gateway_intent_id") where gateway_intent_id is not null;`,
    );

    this.addSql(
      `create table "payment_webhook" ("id" uuid not null, "gateway" text not null, "gateway_event_id" varchar(128) not null, "event_type" varchar(80) not null, "payload" jsonb not null, "signature" varchar(512) null, "signature_valid" boolean not null, "status" text not null default 'received', "intent_id" uuid null, "error" varchar(512) null, "received_at" timestamptz not null, "processed_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "payment_webhook_intent_id_index" on "payment_webhook" ("intent_id");`);
    this.addSql(`create index "payment_webhook_received_at_index" on "payment_webhook" ("received_at");`);
    this.addSql(
      `alter table "payment_webhook" add constraint "payment_webhook_gateway_gateway_event_id_unique" unique ("gateway", "gateway_event_id");`,
    );

    this.addSql(
      `create table "oauth_account" ("id" uuid not null, "user_id" uuid not null, "provider" text not null, "provider_user_id" varchar(255) not null, "email" varchar(254) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "oauth_account_user_id_index" on "oauth_account" ("user_id");`);
    this.addSql(
      `alter table "oauth_account" add constraint "oauth_account_provider_provider_user_id_unique" unique ("provider", "provider_user_id");`,
    );

    this.addSql(
      `create table "notification" ("id" uuid not null, "user_id" uuid not null, "template_id" int null, "type" varchar(60) not null, "channel" text not null default 'in_app', "title" varchar(160) not null, "body" varchar(2000) not null, "payload" jsonb null, "status" text not null default 'sent', "dedupe_key" varchar(160) null, "scheduled_for" timestamptz null, "sent_at" timestamptz null, "read_at" timestamptz null, "deleted_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "notification_template_id_index" on "notification" ("template_id");`);
    this.addSql(`create index "notification_scheduled_for_index" on "notification" ("scheduled_for");`);
    this.addSql(`create index "notification_user_id_status_index" on "notification" ("user_id", "status");`);
    this.addSql(
      `create index "notification_user_id_created_at_index" on "notification" ("user_id", "created_at");`,
    );
    this.addSql(
      `create unique index "notification_user_id_dedupe_key_unique" on "notification" ("user_id", "dedupe_key") where dedupe_key is not null;`,
    );

    this.addSql(
      `create table "media_upload" ("id" uuid not null, "user_id" uuid null, "purpose" text not null default 'other', "storage_key" varchar(255) not null, "original_name" varchar(255) not null, "mime_type" varchar(100) not null, "size_bytes" int not null, "sha256" varchar(64) not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "media_upload" add constraint "media_upload_storage_key_unique" unique ("storage_key");`,
    );
    this.addSql(
      `create index "media_upload_user_id_created_at_index" on "media_upload" ("user_id", "created_at");`,
    );

    this.addSql(
      `create table "station_media" ("id" uuid not null, "station_id" uuid not null, "type" text not null default 'image', "url" varchar(1024) not null, "upload_id" uuid null, "is_primary" boolean not null default false, "sort_order" int not null default 0, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "station_media_station_id_index" on "station_media" ("station_id");`);
    this.addSql(`create index "station_media_upload_id_index" on "station_media" ("upload_id");`);
    this.addSql(`create index "station_media_created_at_index" on "station_media" ("created_at");`);

    this.addSql(
      `create table "station_issue_media" ("station_issue_id" uuid not null, "media_upload_id" uuid not null, primary key ("station_issue_id", "media_upload_id"));`,
    );
    this.addSql(
      `create index "station_issue_media_media_upload_id_index" on "station_issue_media" ("media_upload_id");`,
    );

    this.addSql(
      `create table "rental_issue_media" ("rental_issue_id" uuid not null, "media_upload_id" uuid not null, primary key ("rental_issue_id", "media_upload_id"));`,
    );
    this.addSql(
      `create index "rental_issue_media_media_upload_id_index" on "rental_issue_media" ("media_upload_id");`,
    );

    this.addSql(
      `create table "handover_qr" ("id" uuid not null, "order_id" uuid not null, "type" text not null, "qr_token" varchar(64) not null, "verified_by_id" uuid null, "verified_at" timestamptz null, "expires_at" timestamptz not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "handover_qr_order_id_index" on "handover_qr" ("order_id");`);
    this.addSql(
      `alter table "handover_qr" add constraint "handover_qr_qr_token_unique" unique ("qr_token");`,
    );
    this.addSql(`create index "handover_qr_verified_by_id_index" on "handover_qr" ("verified_by_id");`);

    this.addSql(
      `create table "coupon_usage" ("id" uuid not null, "coupon_id" int not null, "user_id" uuid not null, "points_awarded" int not null default 0, "discount_amount" bigint not null default '0', "transaction_id" uuid null, "idempotency_key" varchar(128) null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "coupon_usage_transaction_id_index" on "coupon_usage" ("transaction_id");`);
    this.addSql(
      `alter table "coupon_usage" add constraint "coupon_usage_idempotency_key_unique" unique ("idempotency_key");`,
    );
    this.addSql(
      `create index "coupon_usage_coupon_id_user_id_index" on "coupon_usage" ("coupon_id", "user_id");`,
    );
    this.addSql(
      `create index "coupon_usage_user_id_created_at_index" on "coupon_usage" ("user_id", "created_at");`,
    );

    this.addSql(
      `create table "admin_profile" ("id" uuid not null, "user_id" uuid not null, "role" text not null, "display_name" varchar(120) not null, "is_active" boolean not null default true, "last_login_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "admin_profile" add constraint "admin_profile_user_id_unique" unique ("user_id");`,
    );

    this.addSql(
      `create table "refund" ("id" uuid not null, "transaction_id" uuid not null, "user_id" uuid not null, "amount" bigint not null, "currency" varchar(3) not null default 'USD', "reason" varchar(500) not null, "status" text not null default 'requested', "destination" text not null default 'wallet', "reviewed_by_id" uuid null, "review_note" varchar(500) null, "gateway_refund_id" varchar(128) null, "idempotency_key" varchar(128) null, "processed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "refund_transaction_id_index" on "refund" ("transaction_id");`);
    this.addSql(`create index "refund_reviewed_by_id_index" on "refund" ("reviewed_by_id");`);
    this.addSql(
      `alter table "refund" add constraint "refund_idempotency_key_unique" unique ("idempotency_key");`,
    );
    this.addSql(`create index "refund_user_id_created_at_index" on "refund" ("user_id", "created_at");`);
    this.addSql(`create index "refund_status_created_at_index" on "refund" ("status", "created_at");`);

    this.addSql(
      `create table "admin_action_log" ("id" uuid not null, "admin_id" uuid not null, "action" varchar(80) not null, "target_type" varchar(40) not null, "target_id" varchar(64) null, "before" jsonb null, "after" jsonb null, "ip" varchar(64) null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "admin_action_log_admin_id_created_at_index" on "admin_action_log" ("admin_id", "created_at");`,
    );
    this.addSql(
      `create index "admin_action_log_target_type_target_id_index" on "admin_action_log" ("target_type", "target_id");`,
    );

    this.addSql(
      `create table "user_achievement" ("id" uuid not null, "user_id" uuid not null, "achievement_id" int not null, "progress" int not null default 0, "completed_at" timestamptz null, "claimed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "user_achievement_achievement_id_index" on "user_achievement" ("achievement_id");`,
    );
    this.addSql(
      `alter table "user_achievement" add constraint "user_achievement_user_id_achievement_id_unique" unique ("user_id", "achievement_id");`,
    );

    this.addSql(
      `create table "user_audit_log" ("id" uuid not null, "user_id" uuid null, "event_type" varchar(60) not null, "occurred_at" timestamptz not null, "product_id" uuid null, "ip" varchar(64) null, "user_agent" varchar(255) null, "metadata" jsonb null, primary key ("id"));`,
    );
    this.addSql(`create index "user_audit_log_product_id_index" on "user_audit_log" ("product_id");`);
    this.addSql(
      `create index "user_audit_log_user_id_occurred_at_index" on "user_audit_log" ("user_id", "occurred_at");`,
    );
    this.addSql(
      `create index "user_audit_log_event_type_occurred_at_index" on "user_audit_log" ("event_type", "occurred_at");`,
    );

    this.addSql(
      `create table "user_device" ("id" uuid not null, "user_id" uuid not null, "device_id" varchar(128) not null, "platform" text not null, "push_token" varchar(512) null, "app_version" varchar(32) null, "model" varchar(80) null, "last_seen_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "user_device" add constraint "user_device_user_id_device_id_unique" unique ("user_id", "device_id");`,
    );

    this.addSql(
      `create table "user_kyc" ("id" uuid not null, "user_id" uuid not null, "status" text not null default 'pending', "document_type" varchar(40) not null, "document_number" varchar(64) not null, "front_image_id" uuid null, "back_image_id" uuid null, "selfie_image_id" uuid null, "rejection_reason" varchar(255) null, "reviewed_by_id" uuid null, "submitted_at" timestamptz not null, "reviewed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "user_kyc" add constraint "user_kyc_user_id_unique" unique ("user_id");`);
    this.addSql(`create index "user_kyc_status_index" on "user_kyc" ("status");`);
    this.addSql(`create index "user_kyc_front_image_id_index" on "user_kyc" ("front_image_id");`);
    this.addSql(`create index "user_kyc_back_image_id_index" on "user_kyc" ("back_image_id");`);
    this.addSql(`create index "user_kyc_selfie_image_id_index" on "user_kyc" ("selfie_image_id");`);
    this.addSql(`create index "user_kyc_reviewed_by_id_index" on "user_kyc" ("reviewed_by_id");`);

    this.addSql(
      `create table "user_leaderboard" ("id" uuid not null, "user_id" uuid not null, "category" text not null, "period" text not null, "period_start" date not null, "score" int not null, "rank" int not null, "computed_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "user_leaderboard_user_id_index" on "user_leaderboard" ("user_id");`);
    this.addSql(
      `create index "user_leaderboard_category_period_period_start_rank_index" on "user_leaderboard" ("category", "period", "period_start", "rank");`,
    );
    this.addSql(
      `alter table "user_leaderboard" add constraint "user_leaderboard_category_period_period_start_user_id_unique" unique ("category", "period", "period_start", "user_id");`,
    );

    this.addSql(
      `create table "user_points" ("id" uuid not null, "user_id" uuid not null, "balance" int not null default 0, "lifetime_earned" int not null default 0, "tier" text not null default 'bronze', "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "user_points" add constraint "user_points_user_id_unique" unique ("user_id");`);

    this.addSql(
      `create table "points_transaction" ("id" uuid not null, "account_id" uuid not null, "user_id" uuid not null, "type" text not null, "points" int not null, "balance_after" int not null, "reference_type" varchar(40) null, "reference_id" varchar(64) null, "idempotency_key" varchar(128) not null, "description" varchar(255) null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "points_transaction_account_id_index" on "points_transaction" ("account_id");`);
    this.addSql(
      `alter table "points_transaction" add constraint "points_transaction_idempotency_key_unique" unique ("idempotency_key");`,
    );
    this.addSql(
      `create index "points_transaction_user_id_created_at_index" on "points_transaction" ("user_id", "created_at");`,
    );
    this.addSql(
      `create index "points_transaction_reference_type_reference_id_index" on "points_transaction" ("reference_type", "reference_id");`,
    );

    this.addSql(
      `create table "user_profile" ("id" uuid not null, "user_id" uuid not null, "first_name" varchar(60) null, "last_name" varchar(60) null, "avatar_url" varchar(512) null, "date_of_birth" date null, "gender" text null, "address" varchar(255) null, "city" varchar(80) null, "language" varchar(8) not null default 'en', "completed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "user_profile" add constraint "user_profile_user_id_unique" unique ("user_id");`,
    );

    this.addSql(
      `create table "user_role" ("id" uuid not null, "user_id" uuid not null, "role" text not null, "description" varchar(255) null, "approved_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "user_role" add constraint "user_role_user_id_role_unique" unique ("user_id", "role");`,
    );

    this.addSql(
      `create table "user_session" ("id" varchar(64) not null, "user_id" uuid not null, "device_id" uuid null, "expires_at" timestamptz not null, "last_used_at" timestamptz not null, "revoked_at" timestamptz null, "ip" varchar(64) null, "user_agent" varchar(255) null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "user_session_device_id_index" on "user_session" ("device_id");`);
    this.addSql(`create index "user_session_expires_at_index" on "user_session" ("expires_at");`);
    this.addSql(
      `create index "user_session_user_id_revoked_at_index" on "user_session" ("user_id", "revoked_at");`,
    );

    this.addSql(
      `create table "user_station_favorite" ("id" uuid not null, "user_id" uuid not null, "station_id" uuid not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "user_station_favorite_station_id_index" on "user_station_favorite" ("station_id");`,
    );
    this.addSql(
      `alter table "user_station_favorite" add constraint "user_station_favorite_user_id_station_id_unique" unique ("user_id", "station_id");`,
    );

    this.addSql(
      `create table "user_subscription" ("id" uuid not null, "user_id" uuid not null, "plan_id" int not null, "status" text not null default 'active', "starts_at" timestamptz not null, "ends_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "user_subscription_plan_id_index" on "user_subscription" ("plan_id");`);
    this.addSql(
      `create index "user_subscription_user_id_status_index" on "user_subscription" ("user_id", "status");`,
    );

    this.addSql(
      `create table "wallet" ("id" uuid not null, "user_id" uuid not null, "balance" bigint not null default '0', "held" bigint not null default '0', "currency" varchar(3) not null default 'USD', "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "wallet" add constraint "wallet_user_id_unique" unique ("user_id");`);

    this.addSql(
      `create table "wallet_transaction" ("id" uuid not null, "wallet_id" uuid not null, "user_id" uuid not null, "type" text not null, "amount" bigint not null, "balance_after" bigint not null, "currency" varchar(3) not null default 'USD', "reference_type" varchar(40) null, "reference_id" varchar(64) null, "transaction_id" uuid null, "idempotency_key" varchar(128) not null, "description" varchar(255) null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "wallet_transaction_wallet_id_index" on "wallet_transaction" ("wallet_id");`);
    this.addSql(
      `create index "wallet_transaction_transaction_id_index" on "wallet_transaction" ("transaction_id");`,
    );
    this.addSql(
      `alter table "wallet_transaction" add constraint "wallet_transaction_idempotency_key_unique" unique ("idempotency_key");`,
    );
    this.addSql(
      `create index "wallet_transaction_user_id_created_at_index" on "wallet_transaction" ("user_id", "created_at");`,
    );
    this.addSql(
      `create index "wallet_transaction_reference_type_reference_id_index" on "wallet_transaction" ("reference_type", "reference_id");`,
    );

    this.addSql(
      `alter table "achievement" add constraint "achievement_values_positive" check (threshold > 0 and reward_points >= 0);`,
    );

    this.addSql(
      `alter table "app_update" add constraint "app_update_platform_check" check ("platform" in ('ios', 'android', 'web'));`,
    );

    this.addSql(
      `alter table "app_version" add constraint "app_version_platform_check" check ("platform" in ('ios', 'android', 'web'));`,
    );

    this.addSql(
      `alter table "category" add constraint "category_parent_id_foreign" foreign key ("parent_id") references "category" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "category" add constraint "category_not_own_parent" check (parent_id is null or parent_id <> id);`,
    );

    this.addSql(
      `alter table "contact_info" add constraint "contact_info_kind_check" check ("kind" in ('email', 'phone', 'whatsapp', 'address', 'website', 'hours'));`,
    );

    this.addSql(`alter table "coupon" add constraint "coupon_code_upper" check (code = upper(code));`);
    this.addSql(`alter table "coupon" add constraint "coupon_value_positive" check (value > 0);`);
    this.addSql(
      `alter table "coupon" add constraint "coupon_percent_range" check (kind <> 'percent_discount' or value <= 100);`,
    );
    this.addSql(`alter table "coupon" add constraint "coupon_dates_ordered" check (valid_to > valid_from);`);
    this.addSql(
      `alter table "coupon" add constraint "coupon_limits" check (per_user_limit >= 1 and used_count >= 0 and (global_limit is null or used_count <= global_limit));`,
    );
    this.addSql(
      `alter table "coupon" add constraint "coupon_kind_check" check ("kind" in ('points', 'percent_discount', 'amount_discount'));`,
    );

    this.addSql(
      `alter table "notification_template" add constraint "notification_template_channel_check" check ("channel" in ('in_app', 'push', 'sms', 'email'));`,
    );

    this.addSql(
      `alter table "notification_rule" add constraint "notification_rule_template_id_foreign" foreign key ("template_id") references "notification_template" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "otp_challenge" add constraint "otp_challenge_attempts_check" check (attempts >= 0);`,
    );

    this.addSql(
      `alter table "payment_method" add constraint "payment_method_amount_range" check (min_amount > 0 and max_amount >= min_amount);`,
    );
    this.addSql(
      `alter table "payment_method" add constraint "payment_method_gateway_check" check ("gateway" in ('sandbox', 'stripe', 'wallet', 'points'));`,
    );

    this.addSql(
      `alter table "rate_limit_counter" add constraint "rate_limit_counter_hits_non_negative" check (hits >= 0);`,
    );

    this.addSql(
      `alter table "rental_package" add constraint "rental_package_duration_positive" check (duration_minutes > 0);`,
    );
    this.addSql(
      `alter table "rental_package" add constraint "rental_package_amounts_non_negative" check (price >= 0 and per_minute_rate >= 0 and deposit_amount >= 0);`,
    );
    this.addSql(
      `alter table "rental_package" add constraint "rental_package_payment_model_check" check ("payment_model" in ('prepaid', 'postpaid'));`,
    );

    this.addSql(
      `alter table "station" add constraint "station_slot_count_range" check (slot_count >= 1 and slot_count <= 64);`,
    );
    this.addSql(
      `alter table "station" add constraint "station_status_check" check ("status" in ('online', 'offline', 'maintenance', 'decommissioned'));`,
    );

    this.addSql(
      `alter table "power_bank" add constraint "power_bank_current_station_id_foreign" foreign key ("current_station_id") references "station" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "power_bank" add constraint "power_bank_battery_range" check (battery_level >= 0 and battery_level <= 100);`,
    );
    this.addSql(
      `alter table "power_bank" add constraint "power_bank_price_non_negative" check (price >= 0);`,
    );
    this.addSql(
      `alter table "power_bank" add constraint "power_bank_status_check" check ("status" in ('in_slot', 'rented', 'lost', 'faulty', 'retired', 'in_transit'));`,
    );

    this.addSql(
      `alter table "station_actor_state" add constraint "station_actor_state_version_positive" check (version >= 1);`,
    );

    this.addSql(
      `alter table "station_amenity_mapping" add constraint "station_amenity_mapping_station_id_foreign" foreign key ("station_id") references "station" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "station_amenity_mapping" add constraint "station_amenity_mapping_amenity_id_foreign" foreign key ("amenity_id") references "station_amenity" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "station_command" add constraint "station_command_status_check" check ("status" in ('pending', 'sent', 'succeeded', 'failed', 'timed_out'));`,
    );

    this.addSql(
      `alter table "station_slot" add constraint "station_slot_station_id_foreign" foreign key ("station_id") references "station" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "station_slot" add constraint "station_slot_power_bank_id_foreign" foreign key ("power_bank_id") references "power_bank" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "station_slot" add constraint "station_slot_index_range" check (slot_index >= 1 and slot_index <= 64);`,
    );
    this.addSql(
      `alter table "station_slot" add constraint "station_slot_battery_range" check (battery_level is null or battery_level >= 0 and battery_level <= 100);`,
    );
    this.addSql(
      `alter table "station_slot" add constraint "station_slot_status_check" check ("status" in ('empty', 'charging', 'ready', 'ejecting', 'faulty', 'locked'));`,
    );

    this.addSql(
      `alter table "subscription_plan" add constraint "subscription_plan_discount_range" check (discount_pct >= 0 and discount_pct <= 100);`,
    );
    this.addSql(
      `alter table "subscription_plan" add constraint "subscription_plan_duration_positive" check (duration_days > 0 and price >= 0);`,
    );

    this.addSql(
      `alter table "system_log" add constraint "system_log_level_check" check ("level" in ('debug', 'info', 'warn', 'error', 'fatal'));`,
    );

    this.addSql(
      `alter table "users" add constraint "users_referred_by_id_foreign" foreign key ("referred_by_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "users" add constraint "users_status_check" check ("status" in ('active', 'suspended', 'deleted'));`,
    );

    this.addSql(
      `alter table "station_issue" add constraint "station_issue_station_id_foreign" foreign key ("station_id") references "station" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "station_issue" add constraint "station_issue_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "station_issue" add constraint "station_issue_status_check" check ("status" in ('open', 'in_progress', 'resolved', 'rejected'));`,
    );

    this.addSql(
      `alter table "sms_fcm_log" add constraint "sms_fcm_log_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "sms_fcm_log" add constraint "sms_fcm_log_channel_check" check ("channel" in ('sms', 'push'));`,
    );
    this.addSql(
      `alter table "sms_fcm_log" add constraint "sms_fcm_log_status_check" check ("status" in ('queued', 'sent', 'delivered', 'failed'));`,
    );

    this.addSql(
      `alter table "rental_order" add constraint "rental_order_customer_id_foreign" foreign key ("customer_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "rental_order" add constraint "rental_order_seller_id_foreign" foreign key ("seller_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "rental_order" add constraint "rental_order_total_non_negative" check (total_amount >= 0 and deposit_amount >= 0 and held_amount >= 0);`,
    );
    this.addSql(
      `alter table "rental_order" add constraint "rental_order_period_ordered" check (end_ts > start_ts);`,
    );
    this.addSql(
      `alter table "rental_order" add constraint "rental_order_status_check" check ("status" in ('draft', 'reserved', 'confirmed', 'active', 'returned', 'completed', 'cancelled', 'expired', 'disputed'));`,
    );

    this.addSql(
      `alter table "schedule" add constraint "schedule_order_id_foreign" foreign key ("order_id") references "rental_order" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "schedule" add constraint "schedule_assigned_to_id_foreign" foreign key ("assigned_to_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "schedule" add constraint "schedule_type_check" check ("type" in ('pickup', 'return'));`,
    );

    this.addSql(
      `alter table "invoice" add constraint "invoice_order_id_foreign" foreign key ("order_id") references "rental_order" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "invoice" add constraint "invoice_amounts" check (amount_due >= 0 and amount_paid >= 0 and amount_paid <= amount_due);`,
    );
    this.addSql(
      `alter table "invoice" add constraint "invoice_status_check" check ("status" in ('draft', 'issued', 'partially_paid', 'paid', 'void', 'overdue'));`,
    );

    this.addSql(
      `alter table "rental" add constraint "rental_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "rental" add constraint "rental_package_id_foreign" foreign key ("package_id") references "rental_package" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "rental" add constraint "rental_power_bank_id_foreign" foreign key ("power_bank_id") references "power_bank" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "rental" add constraint "rental_start_station_id_foreign" foreign key ("start_station_id") references "station" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "rental" add constraint "rental_return_station_id_foreign" foreign key ("return_station_id") references "station" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "rental" add constraint "rental_amounts_non_negative" check (prepaid_amount >= 0 and wallet_paid >= 0 and points_paid >= 0 and held_amount >= 0 and overage_amount >= 0 and late_fee_amount >= 0 and settled_amount >= 0 and due_amount >= 0);`,
    );
    this.addSql(
      `alter table "rental" add constraint "rental_extension_count_range" check (extension_count >= 0 and extension_count <= 3);`,
    );
    this.addSql(
      `alter table "rental" add constraint "rental_status_check" check ("status" in ('pending', 'dispensing', 'active', 'overdue', 'returned', 'settled', 'failed', 'cancelled', 'lost'));`,
    );
    this.addSql(
      `alter table "rental" add constraint "rental_payment_mode_check" check ("payment_mode" in ('wallet', 'points', 'wallet_points', 'split'));`,
    );

    this.addSql(
      `alter table "transactions" add constraint "transactions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_payment_method_id_foreign" foreign key ("payment_method_id") references "payment_method" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_rental_id_foreign" foreign key ("rental_id") references "rental" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_rental_order_id_foreign" foreign key ("rental_order_id") references "rental_order" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transaction_amount_non_negative" check (amount >= 0);`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transaction_parts_non_negative" check (wallet_amount >= 0 and points_used >= 0);`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_type_check" check ("type" in ('topup', 'rental', 'extension', 'due', 'fine', 'refund', 'order', 'invoice'));`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_status_check" check ("status" in ('pending', 'succeeded', 'failed', 'refunded', 'cancelled'));`,
    );
    this.addSql(
      `alter table "transactions" add constraint "transactions_gateway_check" check ("gateway" in ('sandbox', 'stripe', 'wallet', 'points'));`,
    );

    this.addSql(
      `alter table "rental_location" add constraint "rental_location_rental_id_foreign" foreign key ("rental_id") references "rental" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "rental_issue" add constraint "rental_issue_rental_id_foreign" foreign key ("rental_id") references "rental" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "rental_issue" add constraint "rental_issue_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "rental_issue" add constraint "rental_issue_status_check" check ("status" in ('open', 'in_progress', 'resolved', 'rejected'));`,
    );

    this.addSql(
      `alter table "rental_extension" add constraint "rental_extension_rental_id_foreign" foreign key ("rental_id") references "rental" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "rental_extension" add constraint "rental_extension_package_id_foreign" foreign key ("package_id") references "rental_package" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "rental_extension" add constraint "rental_extension_transaction_id_foreign" foreign key ("transaction_id") references "transactions" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "rental_extension" add constraint "rental_extension_minutes_positive" check (minutes > 0);`,
    );
    this.addSql(
      `alter table "rental_extension" add constraint "rental_extension_amount_non_negative" check (amount >= 0);`,
    );

    this.addSql(
      `alter table "referral" add constraint "referral_inviter_id_foreign" foreign key ("inviter_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "referral" add constraint "referral_invitee_id_foreign" foreign key ("invitee_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "referral" add constraint "referral_no_self_referral" check (inviter_id <> invitee_id);`,
    );
    this.addSql(
      `alter table "referral" add constraint "referral_status_check" check ("status" in ('pending', 'completed', 'rewarded', 'cancelled'));`,
    );

    this.addSql(
      `alter table "product" add constraint "product_seller_id_foreign" foreign key ("seller_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "product" add constraint "product_category_id_foreign" foreign key ("category_id") references "category" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "product" add constraint "product_base_price_non_negative" check (base_price >= 0);`,
    );
    this.addSql(
      `alter table "product" add constraint "product_period_and_deposit" check (deposit >= 0 and min_units >= 1 and (max_units is null or max_units >= min_units));`,
    );
    this.addSql(
      `alter table "product" add constraint "product_pricing_unit_check" check ("pricing_unit" in ('hour', 'day', 'week', 'month'));`,
    );

    this.addSql(
      `alter table "product_asset" add constraint "product_asset_product_id_foreign" foreign key ("product_id") references "product" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "product_asset" add constraint "product_asset_asset_type_check" check ("asset_type" in ('image', '3d', 'ar'));`,
    );

    this.addSql(
      `alter table "inventory_item" add constraint "inventory_item_product_id_foreign" foreign key ("product_id") references "product" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "inventory_item" add constraint "inventory_item_status_check" check ("status" in ('available', 'reserved', 'rented', 'maintenance', 'retired'));`,
    );

    this.addSql(
      `alter table "rental_order_item" add constraint "rental_order_item_order_id_foreign" foreign key ("order_id") references "rental_order" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "rental_order_item" add constraint "rental_order_item_product_id_foreign" foreign key ("product_id") references "product" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "rental_order_item" add constraint "rental_order_item_inventory_item_id_foreign" foreign key ("inventory_item_id") references "inventory_item" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "rental_order_item" add constraint "rental_order_item_no_double_booking" exclude using gist (inventory_item_id with =, tstzrange(start_ts, end_ts, '[)'::text) with &&) where ((blocking and (inventory_item_id is not null)));`,
    );
    this.addSql(
      `alter table "rental_order_item" add constraint "rental_order_item_values" check (quantity > 0 and unit_price >= 0 and amount >= 0);`,
    );

    this.addSql(
      `alter table "payment_intent" add constraint "payment_intent_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "payment_intent" add constraint "payment_intent_payment_method_id_foreign" foreign key ("payment_method_id") references "payment_method" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "payment_intent" add constraint "payment_intent_transaction_id_foreign" foreign key ("transaction_id") references "transactions" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "payment_intent" add constraint "payment_intent_amount_positive" check (amount > 0);`,
    );
    this.addSql(
      `alter table "payment_intent" add constraint "payment_intent_gateway_check" check ("gateway" in ('sandbox', 'stripe', 'wallet', 'points'));`,
    );
    this.addSql(
      `alter table "payment_intent" add constraint "payment_intent_status_check" check ("status" in ('created', 'pending', 'succeeded', 'failed', 'cancelled', 'expired'));`,
    );

    this.addSql(
      `alter table "payment_webhook" add constraint "payment_webhook_intent_id_foreign" foreign key ("intent_id") references "payment_intent" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "payment_webhook" add constraint "payment_webhook_gateway_check" check ("gateway" in ('sandbox', 'stripe', 'wallet', 'points'));`,
    );
    this.addSql(
      `alter table "payment_webhook" add constraint "payment_webhook_status_check" check ("status" in ('received', 'processed', 'rejected', 'duplicate'));`,
    );

    this.addSql(
      `alter table "oauth_account" add constraint "oauth_account_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "oauth_account" add constraint "oauth_account_provider_check" check ("provider" in ('google', 'apple'));`,
    );

    this.addSql(
      `alter table "notification" add constraint "notification_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "notification" add constraint "notification_template_id_foreign" foreign key ("template_id") references "notification_template" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "notification" add constraint "notification_channel_check" check ("channel" in ('in_app', 'push', 'sms', 'email'));`,
    );
    this.addSql(
      `alter table "notification" add constraint "notification_status_check" check ("status" in ('scheduled', 'sent', 'delivered', 'read', 'failed'));`,
    );

    this.addSql(
      `alter table "media_upload" add constraint "media_upload_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "media_upload" add constraint "media_upload_size_positive" check (size_bytes > 0);`,
    );
    this.addSql(
      `alter table "media_upload" add constraint "media_upload_purpose_check" check ("purpose" in ('kyc', 'avatar', 'station_issue', 'rental_issue', 'product', 'other'));`,
    );

    this.addSql(
      `alter table "station_media" add constraint "station_media_station_id_foreign" foreign key ("station_id") references "station" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "station_media" add constraint "station_media_upload_id_foreign" foreign key ("upload_id") references "media_upload" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "station_media" add constraint "station_media_type_check" check ("type" in ('image', 'video'));`,
    );

    this.addSql(
      `alter table "station_issue_media" add constraint "station_issue_media_station_issue_id_foreign" foreign key ("station_issue_id") references "station_issue" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "station_issue_media" add constraint "station_issue_media_media_upload_id_foreign" foreign key ("media_upload_id") references "media_upload" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "rental_issue_media" add constraint "rental_issue_media_rental_issue_id_foreign" foreign key ("rental_issue_id") references "rental_issue" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "rental_issue_media" add constraint "rental_issue_media_media_upload_id_foreign" foreign key ("media_upload_id") references "media_upload" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "handover_qr" add constraint "handover_qr_order_id_foreign" foreign key ("order_id") references "rental_order" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "handover_qr" add constraint "handover_qr_verified_by_id_foreign" foreign key ("verified_by_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "handover_qr" add constraint "handover_qr_type_check" check ("type" in ('pickup', 'return'));`,
    );

    this.addSql(
      `alter table "coupon_usage" add constraint "coupon_usage_coupon_id_foreign" foreign key ("coupon_id") references "coupon" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "coupon_usage" add constraint "coupon_usage_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "coupon_usage" add constraint "coupon_usage_transaction_id_foreign" foreign key ("transaction_id") references "transactions" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "admin_profile" add constraint "admin_profile_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "admin_profile" add constraint "admin_profile_role_check" check ("role" in ('super_admin', 'operations', 'finance', 'support'));`,
    );

    this.addSql(
      `alter table "refund" add constraint "refund_transaction_id_foreign" foreign key ("transaction_id") references "transactions" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "refund" add constraint "refund_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "refund" add constraint "refund_reviewed_by_id_foreign" foreign key ("reviewed_by_id") references "admin_profile" ("id") on delete set null;`,
    );
    this.addSql(`alter table "refund" add constraint "refund_amount_positive" check (amount > 0);`);
    this.addSql(
      `alter table "refund" add constraint "refund_status_check" check ("status" in ('requested', 'approved', 'rejected', 'processed', 'failed'));`,
    );
    this.addSql(
      `alter table "refund" add constraint "refund_destination_check" check ("destination" in ('gateway', 'wallet'));`,
    );

    this.addSql(
      `alter table "admin_action_log" add constraint "admin_action_log_admin_id_foreign" foreign key ("admin_id") references "admin_profile" ("id") on delete restrict;`,
    );

    this.addSql(
      `alter table "user_achievement" add constraint "user_achievement_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_achievement" add constraint "user_achievement_achievement_id_foreign" foreign key ("achievement_id") references "achievement" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_achievement" add constraint "user_achievement_progress_non_negative" check (progress >= 0);`,
    );

    this.addSql(
      `alter table "user_audit_log" add constraint "user_audit_log_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "user_audit_log" add constraint "user_audit_log_product_id_foreign" foreign key ("product_id") references "product" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "user_device" add constraint "user_device_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_device" add constraint "user_device_platform_check" check ("platform" in ('ios', 'android', 'web'));`,
    );

    this.addSql(
      `alter table "user_kyc" add constraint "user_kyc_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_kyc" add constraint "user_kyc_front_image_id_foreign" foreign key ("front_image_id") references "media_upload" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "user_kyc" add constraint "user_kyc_back_image_id_foreign" foreign key ("back_image_id") references "media_upload" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "user_kyc" add constraint "user_kyc_selfie_image_id_foreign" foreign key ("selfie_image_id") references "media_upload" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "user_kyc" add constraint "user_kyc_reviewed_by_id_foreign" foreign key ("reviewed_by_id") references "admin_profile" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "user_kyc" add constraint "user_kyc_status_check" check ("status" in ('pending', 'approved', 'rejected'));`,
    );

    this.addSql(
      `alter table "user_leaderboard" add constraint "user_leaderboard_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_leaderboard" add constraint "user_leaderboard_category_check" check ("category" in ('rentals', 'points', 'referrals', 'timely_returns', 'overall'));`,
    );
    this.addSql(
      `alter table "user_leaderboard" add constraint "user_leaderboard_period_check" check ("period" in ('week', 'month', 'all_time'));`,
    );

    this.addSql(
      `alter table "user_points" add constraint "user_points_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "user_points" add constraint "user_points_balance_non_negative" check (balance >= 0);`,
    );
    this.addSql(
      `alter table "user_points" add constraint "user_points_lifetime_non_negative" check (lifetime_earned >= 0);`,
    );
    this.addSql(
      `alter table "user_points" add constraint "user_points_tier_check" check ("tier" in ('bronze', 'silver', 'gold', 'platinum'));`,
    );

    this.addSql(
      `alter table "points_transaction" add constraint "points_transaction_account_id_foreign" foreign key ("account_id") references "user_points" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "points_transaction" add constraint "points_transaction_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "points_transaction" add constraint "points_tx_points_non_zero" check (points <> 0);`,
    );
    this.addSql(
      `alter table "points_transaction" add constraint "points_tx_balance_after_non_negative" check (balance_after >= 0);`,
    );
    this.addSql(
      `alter table "points_transaction" add constraint "points_transaction_type_check" check ("type" in ('signup_bonus', 'profile_bonus', 'kyc_bonus', 'topup_reward', 'rental_payment', 'rental_reward', 'timely_return', 'referral', 'coupon', 'achievement', 'refund', 'adjustment', 'order_payment'));`,
    );

    this.addSql(
      `alter table "user_profile" add constraint "user_profile_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_profile" add constraint "user_profile_gender_check" check ("gender" in ('female', 'male', 'other', 'undisclosed'));`,
    );

    this.addSql(
      `alter table "user_role" add constraint "user_role_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_role" add constraint "user_role_role_check" check ("role" in ('customer', 'seller', 'admin'));`,
    );

    this.addSql(
      `alter table "user_session" add constraint "user_session_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_session" add constraint "user_session_device_id_foreign" foreign key ("device_id") references "user_device" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "user_station_favorite" add constraint "user_station_favorite_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_station_favorite" add constraint "user_station_favorite_station_id_foreign" foreign key ("station_id") references "station" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "user_subscription" add constraint "user_subscription_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "user_subscription" add constraint "user_subscription_plan_id_foreign" foreign key ("plan_id") references "subscription_plan" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "user_subscription" add constraint "user_subscription_period_ordered" check (ends_at > starts_at);`,
    );
    this.addSql(
      `alter table "user_subscription" add constraint "user_subscription_status_check" check ("status" in ('active', 'cancelled', 'expired'));`,
    );

    this.addSql(
      `alter table "wallet" add constraint "wallet_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(`alter table "wallet" add constraint "wallet_balance_non_negative" check (balance >= 0);`);
    this.addSql(
      `alter table "wallet" add constraint "wallet_held_within_balance" check (held >= 0 and held <= balance);`,
    );

    this.addSql(
      `alter table "wallet_transaction" add constraint "wallet_transaction_wallet_id_foreign" foreign key ("wallet_id") references "wallet" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "wallet_transaction" add constraint "wallet_transaction_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "wallet_transaction" add constraint "wallet_transaction_transaction_id_foreign" foreign key ("transaction_id") references "transactions" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "wallet_transaction" add constraint "wallet_tx_amount_non_zero" check (amount <> 0);`,
    );
    this.addSql(
      `alter table "wallet_transaction" add constraint "wallet_tx_balance_after_non_negative" check (balance_after >= 0);`,
    );
    this.addSql(
      `alter table "wallet_transaction" add constraint "wallet_transaction_type_check" check ("type" in ('topup', 'rental_charge', 'extension', 'fine', 'due_payment', 'refund', 'bonus', 'coupon', 'adjustment', 'hold', 'hold_release', 'order_payment'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "user_achievement" drop constraint "user_achievement_achievement_id_foreign";`);
    this.addSql(`alter table "category" drop constraint "category_parent_id_foreign";`);
    this.addSql(`alter table "product" drop constraint "product_category_id_foreign";`);
    this.addSql(`alter table "coupon_usage" drop constraint "coupon_usage_coupon_id_foreign";`);
    this.addSql(`alter table "notification_rule" drop constraint "notification_rule_template_id_foreign";`);
    this.addSql(`alter table "notification" drop constraint "notification_template_id_foreign";`);
    this.addSql(`alter table "transactions" drop constraint "transactions_payment_method_id_foreign";`);
    this.addSql(`alter table "payment_intent" drop constraint "payment_intent_payment_method_id_foreign";`);
    this.addSql(`alter table "rental" drop constraint "rental_package_id_foreign";`);
    this.addSql(`alter table "rental_extension" drop constraint "rental_extension_package_id_foreign";`);
    this.addSql(`alter table "power_bank" drop constraint "power_bank_current_station_id_foreign";`);
    this.addSql(
      `alter table "station_amenity_mapping" drop constraint "station_amenity_mapping_station_id_foreign";`,
    );
    this.addSql(`alter table "station_slot" drop constraint "station_slot_station_id_foreign";`);
    this.addSql(`alter table "station_issue" drop constraint "station_issue_station_id_foreign";`);
    this.addSql(`alter table "rental" drop constraint "rental_start_station_id_foreign";`);
    this.addSql(`alter table "rental" drop constraint "rental_return_station_id_foreign";`);
    this.addSql(`alter table "station_media" drop constraint "station_media_station_id_foreign";`);
    this.addSql(
      `alter table "user_station_favorite" drop constraint "user_station_favorite_station_id_foreign";`,
    );
    this.addSql(`alter table "station_slot" drop constraint "station_slot_power_bank_id_foreign";`);
    this.addSql(`alter table "rental" drop constraint "rental_power_bank_id_foreign";`);
    this.addSql(
      `alter table "station_amenity_mapping" drop constraint "station_amenity_mapping_amenity_id_foreign";`,
    );
    this.addSql(`alter table "user_subscription" drop constraint "user_subscription_plan_id_foreign";`);
    this.addSql(`alter table "users" drop constraint "users_referred_by_id_foreign";`);
    this.addSql(`alter table "station_issue" drop constraint "station_issue_user_id_foreign";`);
    this.addSql(`alter table "sms_fcm_log" drop constraint "sms_fcm_log_user_id_foreign";`);
    this.addSql(`alter table "rental_order" drop constraint "rental_order_customer_id_foreign";`);
    this.addSql(`alter table "rental_order" drop constraint "rental_order_seller_id_foreign";`);
    this.addSql(`alter table "schedule" drop constraint "schedule_assigned_to_id_foreign";`);
    this.addSql(`alter table "rental" drop constraint "rental_user_id_foreign";`);
    this.addSql(`alter table "transactions" drop constraint "transactions_user_id_foreign";`);
    this.addSql(`alter table "rental_issue" drop constraint "rental_issue_user_id_foreign";`);
    this.addSql(`alter table "referral" drop constraint "referral_inviter_id_foreign";`);
    this.addSql(`alter table "referral" drop constraint "referral_invitee_id_foreign";`);
    this.addSql(`alter table "product" drop constraint "product_seller_id_foreign";`);
    this.addSql(`alter table "payment_intent" drop constraint "payment_intent_user_id_foreign";`);
    this.addSql(`alter table "oauth_account" drop constraint "oauth_account_user_id_foreign";`);
    this.addSql(`alter table "notification" drop constraint "notification_user_id_foreign";`);
    this.addSql(`alter table "media_upload" drop constraint "media_upload_user_id_foreign";`);
    this.addSql(`alter table "handover_qr" drop constraint "handover_qr_verified_by_id_foreign";`);
    this.addSql(`alter table "coupon_usage" drop constraint "coupon_usage_user_id_foreign";`);
    this.addSql(`alter table "admin_profile" drop constraint "admin_profile_user_id_foreign";`);
    this.addSql(`alter table "refund" drop constraint "refund_user_id_foreign";`);
    this.addSql(`alter table "user_achievement" drop constraint "user_achievement_user_id_foreign";`);
    this.addSql(`alter table "user_audit_log" drop constraint "user_audit_log_user_id_foreign";`);
    this.addSql(`alter table "user_device" drop constraint "user_device_user_id_foreign";`);
    this.addSql(`alter table "user_kyc" drop constraint "user_kyc_user_id_foreign";`);
    this.addSql(`alter table "user_leaderboard" drop constraint "user_leaderboard_user_id_foreign";`);
    this.addSql(`alter table "user_points" drop constraint "user_points_user_id_foreign";`);
    this.addSql(`alter table "points_transaction" drop constraint "points_transaction_user_id_foreign";`);
    this.addSql(`alter table "user_profile" drop constraint "user_profile_user_id_foreign";`);
    this.addSql(`alter table "user_role" drop constraint "user_role_user_id_foreign";`);
    this.addSql(`alter table "user_session" drop constraint "user_session_user_id_foreign";`);
    this.addSql(
      `alter table "user_station_favorite" drop constraint "user_station_favorite_user_id_foreign";`,
    );
    this.addSql(`alter table "user_subscription" drop constraint "user_subscription_user_id_foreign";`);
    this.addSql(`alter table "wallet" drop constraint "wallet_user_id_foreign";`);
    this.addSql(`alter table "wallet_transaction" drop constraint "wallet_transaction_user_id_foreign";`);
    this.addSql(
      `alter table "station_issue_media" drop constraint "station_issue_media_station_issue_id_foreign";`,
    );
    this.addSql(`alter table "schedule" drop constraint "schedule_order_id_foreign";`);
    this.addSql(`alter table "invoice" drop constraint "invoice_order_id_foreign";`);
    this.addSql(`alter table "transactions" drop constraint "transactions_rental_order_id_foreign";`);
    this.addSql(`alter table "rental_order_item" drop constraint "rental_order_item_order_id_foreign";`);
    this.addSql(`alter table "handover_qr" drop constraint "handover_qr_order_id_foreign";`);
    this.addSql(`alter table "transactions" drop constraint "transactions_invoice_id_foreign";`);
    this.addSql(`alter table "transactions" drop constraint "transactions_rental_id_foreign";`);
    this.addSql(`alter table "rental_location" drop constraint "rental_location_rental_id_foreign";`);
    this.addSql(`alter table "rental_issue" drop constraint "rental_issue_rental_id_foreign";`);
    this.addSql(`alter table "rental_extension" drop constraint "rental_extension_rental_id_foreign";`);
    this.addSql(`alter table "rental_extension" drop constraint "rental_extension_transaction_id_foreign";`);
    this.addSql(`alter table "payment_intent" drop constraint "payment_intent_transaction_id_foreign";`);
    this.addSql(`alter table "coupon_usage" drop constraint "coupon_usage_transaction_id_foreign";`);
    this.addSql(`alter table "refund" drop constraint "refund_transaction_id_foreign";`);
    this.addSql(
      `alter table "wallet_transaction" drop constraint "wallet_transaction_transaction_id_foreign";`,
    );
    this.addSql(
      `alter table "rental_issue_media" drop constraint "rental_issue_media_rental_issue_id_foreign";`,
    );
    this.addSql(`alter table "product_asset" drop constraint "product_asset_product_id_foreign";`);
    this.addSql(`alter table "inventory_item" drop constraint "inventory_item_product_id_foreign";`);
    this.addSql(`alter table "rental_order_item" drop constraint "rental_order_item_product_id_foreign";`);
    this.addSql(`alter table "user_audit_log" drop constraint "user_audit_log_product_id_foreign";`);
    this.addSql(
      `alter table "rental_order_item" drop constraint "rental_order_item_inventory_item_id_foreign";`,
    );
    this.addSql(`alter table "payment_webhook" drop constraint "payment_webhook_intent_id_foreign";`);
    this.addSql(`alter table "station_media" drop constraint "station_media_upload_id_foreign";`);
    this.addSql(
      `alter table "station_issue_media" drop constraint "station_issue_media_media_upload_id_foreign";`,
    );
    this.addSql(
      `alter table "rental_issue_media" drop constraint "rental_issue_media_media_upload_id_foreign";`,
    );
    this.addSql(`alter table "user_kyc" drop constraint "user_kyc_front_image_id_foreign";`);
    this.addSql(`alter table "user_kyc" drop constraint "user_kyc_back_image_id_foreign";`);
    this.addSql(`alter table "user_kyc" drop constraint "user_kyc_selfie_image_id_foreign";`);
    this.addSql(`alter table "refund" drop constraint "refund_reviewed_by_id_foreign";`);
    this.addSql(`alter table "admin_action_log" drop constraint "admin_action_log_admin_id_foreign";`);
    this.addSql(`alter table "user_kyc" drop constraint "user_kyc_reviewed_by_id_foreign";`);
    this.addSql(`alter table "user_session" drop constraint "user_session_device_id_foreign";`);
    this.addSql(`alter table "points_transaction" drop constraint "points_transaction_account_id_foreign";`);
    this.addSql(`alter table "wallet_transaction" drop constraint "wallet_transaction_wallet_id_foreign";`);

    this.addSql(`drop table if exists "achievement" cascade;`);
    this.addSql(`drop table if exists "app_config" cascade;`);
    this.addSql(`drop table if exists "app_update" cascade;`);
    this.addSql(`drop table if exists "app_version" cascade;`);
    this.addSql(`drop table if exists "banner" cascade;`);
    this.addSql(`drop table if exists "category" cascade;`);
    this.addSql(`drop table if exists "contact_info" cascade;`);
    this.addSql(`drop table if exists "content_page" cascade;`);
    this.addSql(`drop table if exists "country" cascade;`);
    this.addSql(`drop table if exists "coupon" cascade;`);
    this.addSql(`drop table if exists "faq" cascade;`);
    this.addSql(`drop table if exists "notification_template" cascade;`);
    this.addSql(`drop table if exists "notification_rule" cascade;`);
    this.addSql(`drop table if exists "otp_challenge" cascade;`);
    this.addSql(`drop table if exists "payment_method" cascade;`);
    this.addSql(`drop table if exists "rate_limit_counter" cascade;`);
    this.addSql(`drop table if exists "rental_package" cascade;`);
    this.addSql(`drop table if exists "station" cascade;`);
    this.addSql(`drop table if exists "power_bank" cascade;`);
    this.addSql(`drop table if exists "station_actor_state" cascade;`);
    this.addSql(`drop table if exists "station_amenity" cascade;`);
    this.addSql(`drop table if exists "station_amenity_mapping" cascade;`);
    this.addSql(`drop table if exists "station_command" cascade;`);
    this.addSql(`drop table if exists "station_slot" cascade;`);
    this.addSql(`drop table if exists "subscription_plan" cascade;`);
    this.addSql(`drop table if exists "system_log" cascade;`);
    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop table if exists "station_issue" cascade;`);
    this.addSql(`drop table if exists "sms_fcm_log" cascade;`);
    this.addSql(`drop table if exists "rental_order" cascade;`);
    this.addSql(`drop table if exists "schedule" cascade;`);
    this.addSql(`drop table if exists "invoice" cascade;`);
    this.addSql(`drop table if exists "rental" cascade;`);
    this.addSql(`drop table if exists "transactions" cascade;`);
    this.addSql(`drop table if exists "rental_location" cascade;`);
    this.addSql(`drop table if exists "rental_issue" cascade;`);
    this.addSql(`drop table if exists "rental_extension" cascade;`);
    this.addSql(`drop table if exists "referral" cascade;`);
    this.addSql(`drop table if exists "product" cascade;`);
    this.addSql(`drop table if exists "product_asset" cascade;`);
    this.addSql(`drop table if exists "inventory_item" cascade;`);
    this.addSql(`drop table if exists "rental_order_item" cascade;`);
    this.addSql(`drop table if exists "payment_intent" cascade;`);
    this.addSql(`drop table if exists "payment_webhook" cascade;`);
    this.addSql(`drop table if exists "oauth_account" cascade;`);
    this.addSql(`drop table if exists "notification" cascade;`);
    this.addSql(`drop table if exists "media_upload" cascade;`);
    this.addSql(`drop table if exists "station_media" cascade;`);
    this.addSql(`drop table if exists "station_issue_media" cascade;`);
    this.addSql(`drop table if exists "rental_issue_media" cascade;`);
    this.addSql(`drop table if exists "handover_qr" cascade;`);
    this.addSql(`drop table if exists "coupon_usage" cascade;`);
    this.addSql(`drop table if exists "admin_profile" cascade;`);
    this.addSql(`drop table if exists "refund" cascade;`);
    this.addSql(`drop table if exists "admin_action_log" cascade;`);
    this.addSql(`drop table if exists "user_achievement" cascade;`);
    this.addSql(`drop table if exists "user_audit_log" cascade;`);
    this.addSql(`drop table if exists "user_device" cascade;`);
    this.addSql(`drop table if exists "user_kyc" cascade;`);
    this.addSql(`drop table if exists "user_leaderboard" cascade;`);
    this.addSql(`drop table if exists "user_points" cascade;`);
    this.addSql(`drop table if exists "points_transaction" cascade;`);
    this.addSql(`drop table if exists "user_profile" cascade;`);
    this.addSql(`drop table if exists "user_role" cascade;`);
    this.addSql(`drop table if exists "user_session" cascade;`);
    this.addSql(`drop table if exists "user_station_favorite" cascade;`);
    this.addSql(`drop table if exists "user_subscription" cascade;`);
    this.addSql(`drop table if exists "wallet" cascade;`);
    this.addSql(`drop table if exists "wallet_transaction" cascade;`);
  }
}
