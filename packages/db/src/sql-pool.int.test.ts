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

  describe('batch (a transaction of statements in one round trip, values inlined)', () => {
    it('writes every statement; values arrive as written, `$n` inside a value left alone', async () => {
      const doc = { text: `it's "quoted" \\ and $1 $2 ?`, nested: { list: [1, null] } };
      await sql.batch([
        { text: 'insert into t (id, doc) values ($1, $2::jsonb)', values: [200, JSON.stringify(doc)] },
        { text: 'insert into t (id, doc) values ($1, $2)', values: [201, { from: 'second' }] },
      ]);
      expect(await sql.query('select id, doc from t where id in ($1, $2) order by id', [200, 201])).toEqual([
        { id: 200, doc },
        { id: 201, doc: { from: 'second' } },
      ]);
    });

    it('is all or nothing: a failing statement takes the ones before it back', async () => {
      await expect(
        sql.batch([
          { text: 'insert into t (id, doc) values ($1, $2)', values: [210, '{}'] },
          { text: 'insert into t (id, doc) values ($1, $2)', values: [211, '{}'] },
          { text: 'insert into t (id, doc) values ($1, $2)', values: [211, '{}'] },
        ]),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await sql.query('select id from t where id between $1 and $2', [210, 211])).toEqual([]);
      // The connections are still good for the next batch.
      for (const id of [213, 214])
        await sql.batch([{ text: 'insert into t (id, doc) values ($1, $2)', values: [id, '{}'] }]);
      expect(await sql.query('select id from t where id between $1 and $2 order by id', [213, 214])).toEqual([
        { id: 213 },
        { id: 214 },
      ]);
    });

    it('refuses a text whose placeholder has no value, sending nothing', async () => {
      await expect(
        sql.batch([{ text: 'insert into t (id, doc) values ($1, $2)', values: [220] }]),
      ).rejects.toThrow('no value for $2');
      expect(await sql.query('select id from t where id = $1', [220])).toEqual([]);
    });
  });
});
