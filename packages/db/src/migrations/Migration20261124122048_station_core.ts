import { Migration } from '@mikro-orm/migrations';

export class Migration20261124122048_station_core extends Migration {
  override name = 'Migration20261124122048_station_core';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "station_actor_state" ("serial_number" varchar(64) not null, "machine_version" int not null, "snapshot" jsonb not null, "version" int not null, "updated_at" timestamptz not null, primary key ("serial_number"));`,
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

    this.addSql(`alter table "station_slot" drop constraint "station_slot_index_range";`);
    this.addSql(
      `alter table "station_slot" add constraint "station_slot_index_range" check (slot_index >= 1 and slot_index <= 64);`,
    );

    this.addSql(
      `alter table "station_actor_state" add constraint "station_actor_state_version_positive" check (version >= 1);`,
    );

    this.addSql(
      `alter table "station_command" add constraint "station_command_status_check" check ("status" in ('pending', 'sent', 'succeeded', 'failed', 'timed_out'));`,
    );
  }

  override down(): void | Promise<void> {
    // Hand-trimmed: the generated down also tried to rebuild the partitioned tables it does not manage.
    this.addSql(`drop table if exists "station_command" cascade;`);
    this.addSql(`drop table if exists "station_actor_state" cascade;`);
    this.addSql(`alter table "station_slot" drop constraint "station_slot_index_range";`);
    this.addSql(
      `alter table "station_slot" add constraint "station_slot_index_range" check (slot_index >= 0 and slot_index < 64);`,
    );
  }
}
