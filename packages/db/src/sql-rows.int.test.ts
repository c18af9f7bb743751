import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { adminQuery, databaseUrl, newTestResourceName } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrm } from './open-orm.ts';
import { sqlBatch, sqlRows } from './sql-rows.ts';

describe('sqlRows (prepared statements through the ORM’s connection)', () => {
  const name = newTestResourceName();
  let orm: Awaited<ReturnType<typeof openOrm>>;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE "${name}"`);
    orm = await openOrm({
      DATABASE_URL: databaseUrl(name),
      DB_POOL_MIN: 0,
      DB_POOL_MAX: 2,
      DB_POOL_IDLE_MS: 10_000,
    });
    await sqlRows(orm.em.fork(), 'create table t (id int primary key, doc jsonb not null)');
  });
  afterAll(async () => {
    await orm?.close(true);
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('binds parameters (quotes, backslashes and a `?` arrive as written)', async () => {
    const doc = { text: `it's "quoted" \\ and $1 ?`, list: [1, 2] };
    await sqlRows(orm.em.fork(), 'insert into t (id, doc) values ($1, $2)', [1, JSON.stringify(doc)]);
    expect(await sqlRows(orm.em.fork(), 'select doc from t where id = $1', [1])).toEqual([{ doc }]);
  });

  it('runs in the transaction of the em it is given: prepared once there, rolled back with it', async () => {
    const count = 'select count(*) as n from t where id between $1 and $2';
    await expect(
      orm.em.fork().transactional(async (em) => {
        await sqlRows(em, 'insert into t (id, doc) values ($1, $2)', [10, '{}']);
        const seen = [await sqlRows(em, count, [10, 10]), await sqlRows(em, count, [11, 20])];
        // pg_prepared_statements is per connection: the statement is there only if it ran on this one.
        const prepared = await sqlRows(em, 'select name from pg_prepared_statements where statement = $1', [
          count,
        ]);
        expect(seen).toEqual([[{ n: '1' }], [{ n: '0' }]]);
        expect(prepared).toEqual([{ name: expect.stringMatching(/^pb_\d+$/) }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await sqlRows(orm.em.fork(), 'select id from t where id = $1', [10])).toEqual([]);
  });

  it("throws the ORM's exceptions (a duplicate key is a UniqueConstraintViolationException)", async () => {
    await sqlRows(orm.em.fork(), 'insert into t (id, doc) values ($1, $2)', [20, '{}']);
    const duplicate = sqlRows(orm.em.fork(), 'insert into t (id, doc) values ($1, $2)', [20, '{}']);
    await expect(duplicate).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  describe('sqlBatch (blind writes in one round trip)', () => {
    it('writes every statement with its values inlined as written: quotes, `$n` in text, dates, null', async () => {
      await sqlRows(
        orm.em.fork(),
        'create table b (id int primary key, note text, at timestamptz, doc jsonb)',
      );
      const at = new Date(Date.UTC(2026, 10, 30, 12, 0, 0, 123));
      const note = `it's "quoted" \\ and $1 ?`;
      await sqlBatch(orm.em.fork(), [
        {
          text: 'insert into b (id, note, at, doc) values ($1, $2, $3, $4)',
          values: [1, note, at, { n: 1 }],
        },
        { text: 'insert into b (id, note, at, doc) values ($1, $2, $3, $4)', values: [2, null, null, null] },
      ]);
      expect(await sqlRows(orm.em.fork(), 'select id, note, at, doc from b order by id')).toEqual([
        { id: 1, note, at: expect.anything(), doc: { n: 1 } },
        { id: 2, note: null, at: null, doc: null },
      ]);
      const [row] = await sqlRows<{ same: boolean }>(
        orm.em.fork(),
        'select at = $1 as same from b where id = 1',
        [at.toISOString()],
      );
      expect(row?.same).toBe(true);
    });

    it('is part of the caller’s transaction, and a failing statement fails it with the ORM’s exception', async () => {
      await sqlRows(orm.em.fork(), 'create table c (id int primary key)');
      await expect(
        orm.em.fork().transactional(async (em) => {
          await sqlBatch(em, [{ text: 'insert into c (id) values ($1)', values: [1] }]);
          await sqlBatch(em, [
            { text: 'insert into c (id) values ($1)', values: [2] },
            { text: 'insert into c (id) values ($1)', values: [1] },
          ]);
        }),
      ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
      expect(await sqlRows(orm.em.fork(), 'select id from c')).toEqual([]);
    });
  });
});
