import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SeedManager } from '@mikro-orm/seeder';
import type { CommonEnv } from '@powerbank/config';
import { entities } from './entities/index.ts';
import { migrationsList } from './migrations/index.ts';
import { splitPool } from './read-replica.ts';

/**
 * What a pool is opened with. DB_POOL_MAX is required: each service sizes its pool from the
 * connection budget (`dbPoolMax`) rather than taking a default. Deadlines left out are none.
 */
export type DbEnv = Pick<
  CommonEnv,
  'DATABASE_URL' | 'DATABASE_READ_URL' | 'DB_POOL_MIN' | 'DB_POOL_IDLE_MS'
> & {
  DB_POOL_MAX: number;
} & Partial<Pick<CommonEnv, 'DB_POOL_ACQUIRE_TIMEOUT_MS' | 'DB_STATEMENT_TIMEOUT_MS' | 'DB_LOCK_TIMEOUT_MS'>>;

/**
 * `pg` pool and connection options for the deadlines: a connection not had within the acquire
 * timeout, a statement running or a lock waited for too long, fail with an error instead of hanging.
 * The two server settings go in each connection's startup packet (no extra round trip).
 */
export function deadlineOptions(env: DbEnv) {
  return {
    ...(env.DB_POOL_ACQUIRE_TIMEOUT_MS ? { connectionTimeoutMillis: env.DB_POOL_ACQUIRE_TIMEOUT_MS } : {}),
    ...(env.DB_STATEMENT_TIMEOUT_MS ? { statement_timeout: env.DB_STATEMENT_TIMEOUT_MS } : {}),
    ...(env.DB_LOCK_TIMEOUT_MS ? { lock_timeout: env.DB_LOCK_TIMEOUT_MS } : {}),
  };
}

const migrationsDir = new URL('./migrations/', import.meta.url).pathname;

/**
 * The one ORM configuration every service and test uses. Entities and
 * migrations are listed statically (not discovered by glob) so the same config
 * works under tsx, Vitest and Node's own type stripping.
 */
export function createOrmConfig(env: DbEnv, overrides: Partial<Options> = {}): Options {
  const { migrations: migrationOverrides, ...rest } = overrides;
  const pool = splitPool(env.DB_POOL_MAX, Boolean(env.DATABASE_READ_URL));
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: env.DATABASE_URL,
    // The replica serves only the reads that ask for it (READ_REPLICA): MikroORM's default would send
    // every find outside a transaction there, and a user would not see what they just wrote.
    preferReadReplicas: false,
    ...(env.DATABASE_READ_URL
      ? {
          replicas: [
            {
              clientUrl: env.DATABASE_READ_URL,
              pool: { min: 0, max: pool.replica, idleTimeoutMillis: env.DB_POOL_IDLE_MS },
            },
          ],
        }
      : {}),
    pool: {
      min: Math.min(env.DB_POOL_MIN, pool.primary),
      max: pool.primary,
      idleTimeoutMillis: env.DB_POOL_IDLE_MS,
    },
    // Merged into the `pg` pool's options (the replica's too).
    driverOptions: deadlineOptions(env),
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
