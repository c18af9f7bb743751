export { configOf, configSubquery, configValues } from './config-values.ts';
export { isDatabaseUnavailable } from './db-unavailable.ts';
export * from './entities/index.ts';
export { openOrm } from './open-orm.ts';
export { createOrmConfig, type DbEnv, deadlineOptions } from './orm-config.ts';
export { openSqlPool, type Sql, type SqlPool, type Statement } from './sql-pool.ts';
export { sqlBatch, sqlRows } from './sql-rows.ts';
