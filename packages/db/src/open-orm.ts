import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { createOrmConfig, type DbEnv } from './orm-config.ts';

export async function openOrm(env: DbEnv, overrides: Partial<Options> = {}): Promise<MikroORM> {
  return MikroORM.init(createOrmConfig(env, overrides));
}
