// Kysely's builders for typed queries, from here so every package builds with the one version the ORM uses.
export {
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type InsertObject,
  type Kysely,
  type QueryCreator,
  type RawBuilder,
  type Selectable,
  type SqlBool,
  sql,
} from 'kysely';
export { jsonArrayFrom, jsonBuildObject, jsonObjectFrom } from 'kysely/helpers/postgres';
export { advisoryXactLock } from './advisory-lock.ts';
export {
  type AnalyticsViews,
  analyticsDb,
  STATION_PERIODS,
  type StationPeriod,
} from './analytics/analytics-views.ts';
export {
  ANALYTICS_REFRESH_JOB,
  ANALYTICS_VIEWS,
  type RefreshAnalyticsOptions,
  type RefreshAnalyticsResult,
  refreshAnalytics,
} from './analytics/refresh-analytics.ts';
export { configObject, configOf, configValues } from './config-values.ts';
export { isDatabaseUnavailable } from './db-unavailable.ts';
export * from './entities/index.ts';
export { openOrm } from './open-orm.ts';
export { createOrmConfig, type DbEnv, deadlineOptions } from './orm-config.ts';
export { READ_REPLICA, splitPool } from './read-replica.ts';
export { type RecordColumns, type RecordOf, recordset } from './recordset.ts';
export { registerStations, type StationToRegister } from './register-stations.ts';
/** The known AppConfig keys with their documented defaults (the seed), for the admin settings registry. */
export { APP_CONFIG_DEFAULTS } from './seeders/app-config.seeder.ts';
// The demo data set, for browser tests that show the seeded network.
export { DemoSeeder } from './seeders/demo.seeder.ts';
/** The notification templates and rules (and achievements, coupons): tests render against the real seed. */
export { EngagementSeeder } from './seeders/engagement.seeder.ts';
export {
  defaultLargeDatabaseUrl,
  describeDatabaseUrl,
  ensureLargeDataSet,
  LARGE_DATA_SET,
  LARGE_DATABASE,
  largeDatabaseUrl,
} from './seeders/large/large-database.ts';
export { createProgress, type Progress } from './seeders/large/progress.ts';
export { DEMO_STATION_COUNT } from './seeders/support/demo-network.ts';
export { literal } from './sql-literal.ts';
export { openSqlPool, type Sql, type SqlPool, type Statement } from './sql-pool.ts';
export { sqlBatch, sqlRows } from './sql-rows.ts';
export { type DB, RENAMED_TABLES } from './typed-db.ts';
export {
  type ArrayRow,
  type ColumnIndex,
  columnIndex,
  now,
  type Prepared,
  prepared,
  queryBuilder,
  runPrepared,
  runPreparedArrays,
  statementOf,
  textWith,
  valuesOf,
  type Wire,
} from './typed-query.ts';
