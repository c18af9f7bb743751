import { Migration } from '@mikro-orm/migrations';

// Hand-written: the generator ran against an empty database and emitted the whole schema.
export class Migration20261130212619_rental_waiting_index extends Migration {
  override name = 'Migration20261130212619_rental_waiting_index';

  override up(): void | Promise<void> {
    this.addSql(
      `create index "rental_start_station_id_waiting_index" on "rental" ("start_station_id") where status in ('pending', 'dispensing');`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "rental_start_station_id_waiting_index";`);
  }
}
