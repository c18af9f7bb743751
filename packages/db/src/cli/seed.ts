// `seed` loads the demo data set into DATABASE_URL; safe to run again.
import { commonEnv, parseConfig } from '@powerbank/config';
import { openOrm } from '../open-orm.ts';
import { DemoSeeder } from '../seeders/demo.seeder.ts';

const env = parseConfig(commonEnv);
const orm = await openOrm({ ...env, DB_POOL_MIN: 0, DB_POOL_MAX: 2 });
try {
  await orm.seeder.seed(DemoSeeder);
  console.log('demo data seeded');
} finally {
  await orm.close();
}
