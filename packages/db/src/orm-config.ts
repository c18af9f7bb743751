import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SeedManager } from '@mikro-orm/seeder';
import type { CommonEnv } from '@powerbank/config';
import { entities } from './entities/index.ts';
import { migrationsList } from './migrations/index.ts';

export type DbEnv = Pick<
  CommonEnv,
  'DATABASE_URL' | 'DATABASE_READ_URL' | 'DB_POOL_MIN' | 'DB_POOL_MAX' | 'DB_POOL_IDLE_MS'
>;

const migrationsDir = new URL('./migrations/', import.meta.url).pathname;

/**
 * The one ORM configuration every service and test uses. Entities and
 * migrations are listed statically (not discovered by glob) so the same config
 * works under tsx, Vitest and Node's own type stripping.
 */
export function createOrmConfig(env: DbEnv, overrides: Partial<Options> = {}): Options {
  const { migrations: migrationOverrides, ...rest } = overrides;
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: env.DATABASE_URL,
    ...(env.DATABASE_READ_URL ? { replicas: [{ clientUrl: env.DATABASE_READ_URL }] } : {}),
    pool: {
      min: Math.min(env.DB_POOL_MIN, env.DB_POOL_MAX),
      max: env.DB_POOL_MAX,
      idleTimeoutMillis: env.DB_POOL_IDLE_MS,
    },
    entities: [...entities],
    extensions: [Migrator, SeedManager],
    migrations: {
      path: migrationsDir,
      pathTs: migrationsDir,
      migrationsList,
      tableName: 'mikro_orm_migrations',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      ...migrationOverrides,
    },
    // Money is bigint in Postgres and `bigint` in JS: exact, never a float.
    // Hand-written routines (ensure_monthly_partitions) live in migrations, not metadata.
    // The analytics views are hand-written SQL in their migration, not entities (analytics/refresh-analytics.ts).
    schemaGenerator: { ignoreRoutines: true, skipViews: [/^analytics_/] },
    forceUtcTimezone: true,
    ignoreUndefinedInQuery: true,
    debug: false,
    ...rest,
  });
}
