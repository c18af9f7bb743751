import { createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('schema shape', () => {
  let db: TestOrm;
  beforeAll(async () => {
    db = await createTestOrm();
  });
  afterAll(() => db.close());
  const sql = <T>(query: string, params: unknown[] = []) =>
    db.orm.em.fork().getConnection().execute<T[]>(query, params);

  it('every foreign key is the leading part of some index', async () => {
    // For each FK, look for an index on the same table whose first columns are exactly the FK's columns.
    const missing = await sql<{ fk: string }>(`
      select c.conrelid::regclass || '.' || c.conname as fk
        from pg_constraint c
       where c.contype = 'f'
         and c.conrelid::regclass::text not like '%\\_p______' escape '\\'
         and not exists (
           select 1 from pg_index i
            where i.indrelid = c.conrelid
              and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
              and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)
       order by 1`);
    expect(missing.map((r) => r.fk)).toEqual([]);
  });

  it('has the composite indexes the marketplace seed lists', async () => {
    const rows = await sql<{ table: string; columns: string }>(`
      select t.relname as table, string_agg(a.attname, ',' order by k.ord) as columns
        from pg_index i
        join pg_class t on t.oid = i.indrelid
        cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
        join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
       -- key columns only: an index's INCLUDE payload is not part of what it is ordered by
       where k.ord <= i.indnkeyatts
       group by i.indexrelid, t.relname`);
    const have = new Set(rows.map((r) => `${r.table}(${r.columns})`));
    for (const wanted of [
      'product(category_id,active)',
      'rental_order(customer_id,status)',
      'inventory_item(product_id,status)',
      'user_audit_log(user_id,occurred_at)',
      'notification(user_id,status)',
    ]) {
      expect(have, wanted).toContain(wanted);
    }
  });

  it('nearby search uses the earthdistance GiST index', async () => {
    await sql(`set enable_seqscan = off`);
    const plan = await sql<{ 'QUERY PLAN': string }>(
      `explain select id from station where earth_box(ll_to_earth(52.52, 13.40), 2000) @> ll_to_earth(latitude, longitude)`,
    );
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('station_earth_gist');
  });
});
