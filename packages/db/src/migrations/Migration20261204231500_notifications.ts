import { Migration } from '@mikro-orm/migrations';

// Generated, then trimmed by hand: the down step only reverts what this one adds.
export class Migration20261204231500_notifications extends Migration {
  override name = 'Migration20261204231500_notifications';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "notification_delivery" ("id" uuid not null, "notification_id" uuid not null, "channel" text not null, "status" text not null default 'pending', "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "lease_until" timestamptz null, "last_error" varchar(512) null, "sent_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "notification_delivery_due_index" on "notification_delivery" ("next_attempt_at") where status = 'pending';`,
    );
    this.addSql(
      `create index "notification_delivery_lease_index" on "notification_delivery" ("lease_until") where status = 'sending';`,
    );
    this.addSql(
      `alter table "notification_delivery" add constraint "notification_delivery_notification_id_channel_unique" unique ("notification_id", "channel");`,
    );

    this.addSql(`alter table "notification_rule" add "mandatory" boolean not null default false;`);

    this.addSql(`alter table "notification" add "dispatched_at" timestamptz null;`);
    // Notices written before the worker existed were shown in-app already: none is sent out now.
    this.addSql(`update "notification" set "dispatched_at" = coalesce("sent_at", "created_at");`);
    this.addSql(
      `create index "notification_undispatched_index" on "notification" ("created_at") where dispatched_at is null;`,
    );

    this.addSql(`alter table "sms_fcm_log" add "notification_id" uuid null;`);
    this.addSql(
      `alter table "sms_fcm_log" add constraint "sms_fcm_log_notification_id_foreign" foreign key ("notification_id") references "notification" ("id") on delete set null;`,
    );
    this.addSql(`create index "sms_fcm_log_notification_id_index" on "sms_fcm_log" ("notification_id");`);

    this.addSql(`alter table "user_profile" add "notification_preferences" jsonb null;`);

    this.addSql(
      `alter table "notification_delivery" add constraint "notification_delivery_notification_id_foreign" foreign key ("notification_id") references "notification" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "notification_delivery" add constraint "notification_delivery_attempts_non_negative" check (attempts >= 0);`,
    );
    this.addSql(
      `alter table "notification_delivery" add constraint "notification_delivery_channel_check" check ("channel" in ('push', 'sms'));`,
    );
    this.addSql(
      `alter table "notification_delivery" add constraint "notification_delivery_status_check" check ("status" in ('pending', 'sending', 'sent', 'failed', 'skipped', 'unknown'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "notification_delivery" cascade;`);
    this.addSql(`alter table "sms_fcm_log" drop constraint "sms_fcm_log_notification_id_foreign";`);
    this.addSql(`drop index "notification_undispatched_index";`);
    this.addSql(`alter table "notification" drop column "dispatched_at";`);
    this.addSql(`alter table "notification_rule" drop column "mandatory";`);
    this.addSql(`drop index "sms_fcm_log_notification_id_index";`);
    this.addSql(`alter table "sms_fcm_log" drop column "notification_id";`);
    this.addSql(`alter table "user_profile" drop column "notification_preferences";`);
  }
}
