import type { MikroORM } from '@mikro-orm/postgresql';
import { commonEnv, parseConfig } from '@powerbank/config';
import { type DbEnv, openOrm } from '@powerbank/db';
import pg from 'pg';
import { inject } from 'vitest';
import { waitForReplicaDatabase } from './pg-replica.ts';
import { newTestResourceName } from './run-id.ts';

/** The DATABASE_URL of the environment with another database name. */
export function databaseUrl(name: string, base = parseConfig(commonEnv).DATABASE_URL): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs one statement on the server's maintenance database (`postgres`). */
export async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database copied from the migrated template the global setup made:
 * each test file gets its own, so files run in parallel without sharing rows.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject('dbTemplate');
  const name = newTestResourceName();
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return {
    name,
    url: databaseUrl(name),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined),
  };
}

export interface TestOrm {
  orm: MikroORM;
  db: TestDatabase;
  close(): Promise<void>;
}

/**
 * Pool settings over a test ORM's defaults (a small pool, no deadlines); `readReplicaUrl` (a
 * replica's server, `startPgReplica`) gives the ORM the test database there as DATABASE_READ_URL.
 */
export type TestPool = Partial<Omit<DbEnv, 'DATABASE_URL' | 'DATABASE_READ_URL'>> & {
  readReplicaUrl?: string;
};

/** A test database plus an ORM connected to it with a small pool. */
export async function createTestOrm(pool: TestPool = {}): Promise<TestOrm> {
  const db = await createTestDatabase();
  const { readReplicaUrl, ...settings } = pool;
  const orm = await openOrm({
    DATABASE_URL: db.url,
    ...(readReplicaUrl ? { DATABASE_READ_URL: await waitForReplicaDatabase(readReplicaUrl, db.name) } : {}),
    DB_POOL_MIN: 0,
    DB_POOL_MAX: 10,
    DB_POOL_IDLE_MS: 10_000,
    ...settings,
  });
  return {
    orm,
    db,
    close: async () => {
      await orm.close(true);
      await db.drop();
    },
  };
}
