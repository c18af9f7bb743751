import { Migration } from '@mikro-orm/migrations';

export class Migration20261124121826_issue_media_index extends Migration {
  override name = 'Migration20261124121826_issue_media_index';

  override up(): void | Promise<void> {
    this.addSql(
      `create index "station_issue_media_media_upload_id_index" on "station_issue_media" ("media_upload_id");`,
    );

    this.addSql(
      `create index "rental_issue_media_media_upload_id_index" on "rental_issue_media" ("media_upload_id");`,
    );
  }

  override down(): void | Promise<void> {
    // Hand-trimmed: the generated down also tried to rebuild the partitioned tables it does not manage.
    this.addSql(`drop index "rental_issue_media_media_upload_id_index";`);
    this.addSql(`drop index "station_issue_media_media_upload_id_index";`);
  }
}
