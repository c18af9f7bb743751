import { Migration } from '@mikro-orm/migrations';

export class Migration20261130120253_rate_limit_counter extends Migration {
  override name = 'Migration20261130120253_rate_limit_counter';

  // Hand-trimmed as the others: the generator's output also rebuilt the partitioned tables.
  // UNLOGGED by hand (the ORM has no word for it): counters need no crash safety.
  override up(): void | Promise<void> {
    this.addSql(
      `create unlogged table "rate_limit_counter" ("key" varchar(200) not null, "hits" int not null, "reset_at" timestamptz not null, primary key ("key"));`,
    );
    this.addSql(
      `alter table "rate_limit_counter" add constraint "rate_limit_counter_hits_non_negative" check (hits >= 0);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "rate_limit_counter";`);
  }
}
