import { Migration } from '@mikro-orm/migrations';

export class Migration20261130070410_station_directory_indexes extends Migration {
  override name = 'Migration20261130070410_station_directory_indexes';

  override up(): void | Promise<void> {
    this.addSql(`create index "station_updated_at_index" on "station" ("updated_at");`);

    this.addSql(
      `create index "station_amenity_mapping_created_at_index" on "station_amenity_mapping" ("created_at");`,
    );

    this.addSql(`create index "station_slot_updated_at_index" on "station_slot" ("updated_at");`);

    this.addSql(`create index "station_media_created_at_index" on "station_media" ("created_at");`);
  }

  // Hand-trimmed: the generator's down() also rebuilt the partitioned tables and the partition function.
  override down(): void | Promise<void> {
    this.addSql(`drop index "station_updated_at_index";`);
    this.addSql(`drop index "station_amenity_mapping_created_at_index";`);
    this.addSql(`drop index "station_media_created_at_index";`);
    this.addSql(`drop index "station_slot_updated_at_index";`);
  }
}
