export * from './entities/index.ts';
export { openOrm } from './open-orm.ts';
export { createOrmConfig, type DbEnv } from './orm-config.ts';
