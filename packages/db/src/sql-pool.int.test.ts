import { adminQuery, databaseUrl, newTestResourceName } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlPool, type SqlPool } from './sql-pool.ts';

describe('openSqlPool (plain pg for hot paths written in SQL)', () => {
  const name = newTestResourceName();
  let sql: SqlPool;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE "${name}"`);
    sql = openSqlPool(databaseUrl(name), 2);
    await sql.query('create table t (id int primary key, doc jsonb not null)');
  });
  afterAll(async () => {
    await sql?.close();
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('binds parameters (a JSON document with quotes and backslashes arrives as written)', async () => {
    const doc = { text: `it's "quoted" \\ and $1 ?`, list: [1, 2] };
    await sql.query(
      'insert into t (id, doc) select x.id, x.doc from jsonb_to_recordset($1::jsonb) as x(id int, doc jsonb)',
      [JSON.stringify([{ id: 1, doc }])],
    );
    expect(await sql.query<{ doc: unknown }>('select doc from t where id = $1', [1])).toEqual([{ doc }]);
  });

  it('prepares each text once per connection and reuses it with other values', async () => {
    for (let id = 10; id < 20; id++) await sql.query('insert into t (id, doc) values ($1, $2)', [id, '{}']);
    const count = 'select count(*) as n from t where id between $1 and $2';
    const [answers, prepared] = await sql.transaction(async (tx) => [
      [await tx.query<{ n: string }>(count, [10, 19]), await tx.query<{ n: string }>(count, [10, 14])],
      await tx.query<{ name: string }>('select name from pg_prepared_statements where statement = $1', [
        count,
      ]),
    ]);
    expect(answers).toEqual([[{ n: '10' }], [{ n: '5' }]]);
    expect(prepared).toEqual([{ name: expect.stringMatching(/^pb_\d+$/) }]);
  });

  it('a transaction that throws leaves nothing behind, and its connection serves the next one', async () => {
    await expect(
      sql.transaction(async (tx) => {
        await tx.query('insert into t (id, doc) values ($1, $2)', [100, '{}']);
        await tx.query('insert into t (id, doc) values ($1, $2)', [100, '{}']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await sql.query('select id from t where id = $1', [100])).toEqual([]);
    const committed = await sql.transaction(async (tx) => {
      await tx.query('insert into t (id, doc) values ($1, $2)', [101, '{}']);
      return 'done';
    });
    expect(committed).toBe('done');
    expect(await sql.query('select id from t where id = $1', [101])).toEqual([{ id: 101 }]);
  });
});
