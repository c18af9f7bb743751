export { configOf, configSubquery, configValues } from './config-values.ts';
export { isDatabaseUnavailable } from './db-unavailable.ts';
export * from './entities/index.ts';
export { openOrm } from './open-orm.ts';
export { createOrmConfig, type DbEnv, deadlineOptions } from './orm-config.ts';
export { registerStations, type StationToRegister } from './register-stations.ts';
export {
  defaultLargeDatabaseUrl,
  describeDatabaseUrl,
  ensureLargeDataSet,
  LARGE_DATA_SET,
  LARGE_DATABASE,
  largeDatabaseUrl,
} from './seeders/large/large-database.ts';
export { createProgress, type Progress } from './seeders/large/progress.ts';
export { openSqlPool, type Sql, type SqlPool, type Statement } from './sql-pool.ts';
export { sqlBatch, sqlRows } from './sql-rows.ts';
export { type DB, RENAMED_TABLES } from './typed-db.ts';
export {
  type Prepared,
  prepared,
  runPrepared,
  statementOf,
  valuesOf,
  type Wire,
} from './typed-query.ts';
