import { Migration } from '@mikro-orm/migrations';

/** Admin review queues: who works on an issue and what they found; why an admin acted. */
export class Migration20261204231500_admin_review extends Migration {
  override name = 'Migration20261204231500_admin_review';

  override up(): void | Promise<void> {
    this.addSql(`alter table "admin_action_log" add column "reason" varchar(255) null;`);
    for (const table of ['station_issue', 'rental_issue']) {
      this.addSql(
        `alter table "${table}" add column "assigned_to_id" uuid null, add column "resolution_note" varchar(500) null;`,
      );
      this.addSql(
        `alter table "${table}" add constraint "${table}_assigned_to_id_foreign" foreign key ("assigned_to_id") references "admin_profile" ("id") on delete set null;`,
      );
      this.addSql(`create index "${table}_assigned_to_id_index" on "${table}" ("assigned_to_id");`);
    }
  }

  override down(): void | Promise<void> {
    for (const table of ['station_issue', 'rental_issue']) {
      this.addSql(`alter table "${table}" drop column "assigned_to_id", drop column "resolution_note";`);
    }
    this.addSql(`alter table "admin_action_log" drop column "reason";`);
  }
}
