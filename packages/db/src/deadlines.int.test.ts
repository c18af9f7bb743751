import { adminQuery, databaseUrl, newTestResourceName } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './db-unavailable.ts';
import { openOrm } from './open-orm.ts';
import { type DbEnv, deadlineOptions } from './orm-config.ts';
import { openSqlPool } from './sql-pool.ts';

/** Every pool the services open has these deadlines; a test that would hang fails instead. */
describe('database deadlines (statement, lock, pool acquire)', () => {
  const name = newTestResourceName();
  const env: DbEnv = {
    DATABASE_URL: databaseUrl(name),
    DB_POOL_MIN: 0,
    DB_POOL_MAX: 1,
    DB_POOL_IDLE_MS: 10_000,
    DB_POOL_ACQUIRE_TIMEOUT_MS: 200,
    DB_STATEMENT_TIMEOUT_MS: 1000,
    DB_LOCK_TIMEOUT_MS: 500,
  };
  let orm: Awaited<ReturnType<typeof openOrm>>;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE "${name}"`);
    orm = await openOrm(env);
    await orm.em.fork().execute('create table t (id int primary key)');
    await orm.em.fork().execute('insert into t values (1)');
  });
  afterAll(async () => {
    await orm?.close(true);
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('a statement longer than the statement timeout fails with a clear error, not a hang', async () => {
    const error = await orm.em
      .fork()
      .execute('select pg_sleep(30)')
      .catch((e: unknown) => e);
    expect(String(error)).toContain('canceling statement due to statement timeout');
    expect(isDatabaseUnavailable(error)).toBe(true);
    // The connection is fine afterwards.
    expect(await orm.em.fork().execute('select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('a lock held past the lock timeout fails the waiter, and no connection is to be had past the acquire timeout', async () => {
    // A second pool, as another process would be, holds the row lock and the first pool's only connection is asked twice.
    const other = openSqlPool(env.DATABASE_URL, 1, undefined, deadlineOptions(env));
    try {
      await other.transaction(async (tx) => {
        await tx.query('select id from t where id = 1 for update');
        const blocked = orm.em
          .fork()
          .execute('update t set id = 1 where id = 1')
          .catch((e: unknown) => e);
        const queued = orm.em
          .fork()
          .execute('select 1')
          .catch((e: unknown) => e);
        expect(String(await queued)).toContain('timeout exceeded when trying to connect');
        expect(isDatabaseUnavailable(await queued)).toBe(true);
        expect(String(await blocked)).toContain('canceling statement due to lock timeout');
        expect(isDatabaseUnavailable(await blocked)).toBe(true);
      });
    } finally {
      await other.close();
    }
  });

  it('the plain-SQL pool has the same deadlines', async () => {
    const sql = openSqlPool(env.DATABASE_URL, 1, undefined, deadlineOptions(env));
    try {
      const error = await sql.query('select pg_sleep(30)').catch((e: unknown) => e);
      expect(String(error)).toContain('statement timeout');
    } finally {
      await sql.close();
    }
  });

  it('tells overload from faults', () => {
    expect(
      isDatabaseUnavailable(Object.assign(new Error('sorry, too many clients already'), { code: '53300' })),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(new Error('x', { cause: new Error('timeout exceeded when trying to connect') })),
    ).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable('53300')).toBe(false);
  });
});
