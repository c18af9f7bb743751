import { Migration } from '@mikro-orm/migrations';

// The generator's down() also rebuilt the partitioned tables (a diff it cannot read back); trimmed to the column.
export class Migration20261204230012_power_bank_placed_at extends Migration {
  override name = 'Migration20261204230012_power_bank_placed_at';

  override up(): void | Promise<void> {
    this.addSql(`alter table "power_bank" add "placed_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "power_bank" drop column "placed_at";`);
  }
}
