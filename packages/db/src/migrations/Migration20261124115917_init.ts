import { Migration } from '@mikro-orm/migrations';

export class Migration20261124115917_init extends Migration {
  override name = 'Migration20261124115917_init';

  override up(): void | Promise<void> {
    this.addSql(`create type "app_platform" as enum ('ios', 'android', 'web');`);
    this.addSql(
      `create table "app_version" ("id" serial primary key, "platform" "app_platform" not null, "version" varchar(32) not null, "min_supported_version" varchar(32) not null, "force_update" boolean not null default false, "store_url" varchar(512) null, "release_notes" text null, "released_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "app_version" add constraint "app_version_platform_version_unique" unique ("platform", "version");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "app_version" cascade;`);

    this.addSql(`drop type "app_platform";`);
  }
}
