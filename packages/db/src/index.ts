export { configOf, configSubquery, configValues } from './config-values.ts';
export * from './entities/index.ts';
export { openOrm } from './open-orm.ts';
export { createOrmConfig, type DbEnv } from './orm-config.ts';
/** The known AppConfig keys with their documented defaults (the seed), for the admin settings registry. */
export { APP_CONFIG_DEFAULTS } from './seeders/app-config.seeder.ts';
export { openSqlPool, type Sql, type SqlPool, type Statement } from './sql-pool.ts';
export { sqlBatch, sqlRows } from './sql-rows.ts';
