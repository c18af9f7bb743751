import { Migration } from '@mikro-orm/migrations';

/**
 * Written by hand: what entity metadata cannot express.
 * - `ensure_monthly_partitions(parent, months_ahead, months_back)`: creates the
 *   monthly range partitions `<parent>_pYYYYMM` of a partitioned table, moving
 *   any rows that already fell into the default partition for that month.
 *   Run here for the current months and by the partition job daily.
 */
export class Migration20261124121336_monthly_partitions extends Migration {
  override up(): void {
    this.addSql(`
create or replace function ensure_monthly_partitions(parent text, months_ahead int default 3, months_back int default 1)
returns int language plpgsql as $fn$
declare
  month_start date;
  from_ts timestamptz;
  to_ts timestamptz;
  part text;
  key_column text;
  created int := 0;
begin
  select a.attname into key_column
    from pg_partitioned_table pt
    join pg_attribute a on a.attrelid = pt.partrelid and a.attnum = pt.partattrs[0]
   where pt.partrelid = parent::regclass;
  if key_column is null then
    raise exception 'table % is not partitioned', parent;
  end if;
  for i in -months_back..months_ahead loop
    month_start := (date_trunc('month', now() at time zone 'UTC') + make_interval(months => i))::date;
    part := format('%s_p%s', parent, to_char(month_start, 'YYYYMM'));
    continue when to_regclass(part) is not null;
    from_ts := month_start::timestamp at time zone 'UTC';
    to_ts := (month_start + interval '1 month')::timestamp at time zone 'UTC';
    execute format('create table %I (like %I including defaults including constraints)', part, parent);
    execute format(
      'with moved as (delete from %I where %I >= %L and %I < %L returning *) insert into %I select * from moved',
      parent || '_default', key_column, from_ts, key_column, to_ts, part);
    execute format('alter table %I attach partition %I for values from (%L) to (%L)', parent, part, from_ts, to_ts);
    created := created + 1;
  end loop;
  return created;
end
$fn$;`);
    this.addSql(`select ensure_monthly_partitions('system_log', 3, 1);`);
    this.addSql(`select ensure_monthly_partitions('rental_location', 3, 1);`);
  }

  override down(): void {
    this.addSql('drop function if exists ensure_monthly_partitions(text, int, int);');
  }
}
