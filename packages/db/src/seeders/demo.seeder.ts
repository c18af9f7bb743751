import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import { AppVersionSeeder } from './app-version.seeder.ts';

/** The small demo data set the quick start loads. Every seeder in it is idempotent. */
export class DemoSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    return this.call(em, [AppVersionSeeder]);
  }
}
