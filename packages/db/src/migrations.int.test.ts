import { adminQuery, databaseUrl, newTestResourceName } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrm } from './open-orm.ts';

async function tableNames(orm: Awaited<ReturnType<typeof openOrm>>): Promise<string[]> {
  const rows: { tablename: string }[] = await orm.em
    .getConnection()
    .execute(
      `select tablename from pg_tables where schemaname = 'public' and tablename <> 'mikro_orm_migrations' order by 1`,
    );
  return rows.map((r) => r.tablename);
}

describe('migrations', () => {
  const name = newTestResourceName();
  let orm: Awaited<ReturnType<typeof openOrm>>;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE "${name}"`);
    orm = await openOrm(
      { DATABASE_URL: databaseUrl(name), DB_POOL_MIN: 0, DB_POOL_MAX: 2, DB_POOL_IDLE_MS: 10_000 },
      { migrations: { silent: true } },
    );
  });
  afterAll(async () => {
    await orm.close(true);
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('migrate an empty database up, all the way down to empty, and up again', async () => {
    expect(await tableNames(orm)).toEqual([]);
    const applied = await orm.migrator.up();
    expect(applied.length).toBeGreaterThan(0);
    expect(await tableNames(orm)).toContain('app_version');

    await orm.migrator.down({ to: 0 });
    expect(await tableNames(orm)).toEqual([]);
    expect(await orm.migrator.getPending()).toHaveLength(applied.length);

    await orm.migrator.up();
    expect(await tableNames(orm)).toContain('app_version');
  });

  it('entities and migrations agree: after migrating, the schema diff is empty', async () => {
    await orm.migrator.up();
    const drift = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(drift.trim(), `entities changed without a migration; run pnpm db:migrate:create\n${drift}`).toBe(
      '',
    );
  });
});
